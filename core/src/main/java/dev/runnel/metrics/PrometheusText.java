package dev.runnel.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a Prometheus text-format (0.0.4) exposition: samples grouped into families, each family
 * with one {@code # HELP} and {@code # TYPE} line, in the order families were first added. Label
 * values are escaped and labels sorted by name. Not thread-safe: build one per scrape.
 */
public final class PrometheusText {
  private record Family(String type, String help, List<String> lines) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  /**
   * Registers a family so its HELP and TYPE lines appear even before (or without) samples, and
   * fixes its place in the output order. Idempotent.
   */
  public PrometheusText declare(String name, String type, String help) {
    families.computeIfAbsent(name, n -> new Family(type, help, new ArrayList<>()));
    return this;
  }

  /** Adds a sample named like its family (counters, gauges). */
  public PrometheusText add(String name, String type, String help, Map<String, String> labels, double value) {
    return addSample(name, name, type, help, labels, value);
  }

  /**
   * Adds a sample whose name differs from its family's, such as a histogram's {@code _bucket},
   * {@code _sum} and {@code _count}. The first sample of a family fixes its type and help.
   */
  public PrometheusText addSample(String family, String sample, String type, String help, Map<String, String> labels,
      double value) {
    families.computeIfAbsent(family, n -> new Family(type, help, new ArrayList<>()))
        .lines.add(sample + labels(labels) + " " + num(value));
    return this;
  }

  /** The exposition text, ending with a newline (empty when nothing was added). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    families.forEach((name, f) -> {
      sb.append("# HELP ").append(name).append(' ').append(f.help()).append('\n');
      sb.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
      for (String line : f.lines()) {
        sb.append(line).append('\n');
      }
    });
    return sb.toString();
  }

  /** {@code {a="x",b="y"}} with names sorted and values escaped; empty for no labels. */
  static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(e.getKey()).append("=\"");
      for (char c : e.getValue().toCharArray()) {
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '"' -> sb.append("\\\"");
          case '\n' -> sb.append("\\n");
          default -> sb.append(c);
        }
      }
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  /** Whole numbers without a fraction ({@code 3}, not {@code 3.0}); others as Java prints them. */
  public static String num(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }
}
