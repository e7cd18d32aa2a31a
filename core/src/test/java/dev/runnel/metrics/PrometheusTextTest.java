package dev.runnel.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void text_samplesOfOneFamily_groupedUnderOneHelpAndType() {
    String t = new PrometheusText()
        .add("a_total", "counter", "As", Map.of("db", "x"), 3)
        .add("b", "gauge", "B", Map.of(), 0.5)
        .add("a_total", "counter", "As", Map.of("db", "y"), 4)
        .text();
    assertEquals("""
        # HELP a_total As
        # TYPE a_total counter
        a_total{db="x"} 3
        a_total{db="y"} 4
        # HELP b B
        # TYPE b gauge
        b 0.5
        """, t);
  }

  @Test
  void addSample_histogramSamples_keepTheirNamesUnderTheFamily() {
    String t = new PrometheusText()
        .addSample("d_seconds", "d_seconds_bucket", "histogram", "D", Map.of("le", "+Inf"), 2)
        .addSample("d_seconds", "d_seconds_sum", "histogram", "D", Map.of(), 0.25)
        .text();
    assertEquals("""
        # HELP d_seconds D
        # TYPE d_seconds histogram
        d_seconds_bucket{le="+Inf"} 2
        d_seconds_sum 0.25
        """, t);
  }

  @Test
  void labels_specialCharacters_escapedAndSortedByName() {
    assertEquals("{a=\"q\\\"uote\",b=\"back\\\\slash\",c=\"new\\nline\"}",
        PrometheusText.labels(Map.of("c", "new\nline", "a", "q\"uote", "b", "back\\slash")));
  }

  @Test
  void num_wholeAndFractional_formattedLikePrometheusExpects() {
    assertEquals("42", PrometheusText.num(42.0));
    assertEquals("0.05", PrometheusText.num(0.05));
    assertEquals("Infinity", PrometheusText.num(Double.POSITIVE_INFINITY));
  }

  @Test
  void declare_familyWithoutSamples_printsHelpAndTypeInDeclaredOrder() {
    String t = new PrometheusText().declare("x_total", "counter", "X").add("y", "gauge", "Y", Map.of(), 1)
        .add("x_total", "counter", "X", Map.of(), 2).declare("z", "gauge", "Z").text();
    assertEquals("""
        # HELP x_total X
        # TYPE x_total counter
        x_total 2
        # HELP y Y
        # TYPE y gauge
        y 1
        # HELP z Z
        # TYPE z gauge
        """, t);
  }
}
