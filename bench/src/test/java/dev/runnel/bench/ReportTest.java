package dev.runnel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final Report.RunInfo INFO = new Report.RunInfo("bench/run --quick", "quick", "abc1234", "0.10 0.20 0.30",
      "1.50 1.00 0.50", 125.4, Instant.parse("2026-11-22T07:30:00Z"));

  @Test
  void render_goalsFromSeveralScenarios_groupedByIssueInNumericOrderWithMissedMarked() {
    List<Report.Goal> goals = List.of(
        Report.Goal.parse("7\thot acquire p50\t900 ns\t≤ 2 µs\tmet"),
        Report.Goal.parse("3\twrite overhead NORMAL\t0.85×\t≥ 0.90×\tmissed"),
        Report.Goal.parse("2\tLTX encode\t0.31×\t≥ 0.7×\tmissed"),
        Report.Goal.parse("3\tlag p50\t5 ms\t≤ 20 ms\tmet"));
    String md = Report.render(INFO, "2 cores", List.of(), goals, Map.of(), "BENCHMARKS-history.md");

    int i2 = md.indexOf("### Issue 2");
    int i3 = md.indexOf("### Issue 3");
    int i7 = md.indexOf("### Issue 7");
    assertTrue(i2 > 0 && i2 < i3 && i3 < i7, md);
    String issue3 = md.substring(i3, i7);
    assertTrue(issue3.contains("| write overhead NORMAL | 0.85× | ≥ 0.90× | **MISSED** |"), issue3);
    assertTrue(issue3.contains("| lag p50 | 5 ms | ≤ 20 ms | met |"), issue3);
    assertTrue(md.contains("4 goal measurements, 2 met, 2 missed."), md);
  }

  @Test
  void render_header_hasCommandModeCommitMachineLoadAndTotal() {
    String md = Report.render(INFO, "2 cores (EPYC)", List.of(), List.of(), Map.of(), "../docs/BENCHMARKS-history.md");

    assertTrue(md.contains("| command | `bench/run --quick` |"), md);
    assertTrue(md.contains("| mode | quick |"), md);
    assertTrue(md.contains("| date | 2026-11-22 07:30 UTC |"), md);
    assertTrue(md.contains("| git commit | abc1234 |"), md);
    assertTrue(md.contains("| machine | 2 cores (EPYC) |"), md);
    assertTrue(md.contains("before 0.10 0.20 0.30; after 1.50 1.00 0.50"), md);
    assertTrue(md.contains("| total wall time | 2 min 05 s |"), md);
    assertTrue(md.contains("](../docs/BENCHMARKS-history.md)"), md);
    assertTrue(md.contains(Report.HOW_TO_READ), md);
    assertTrue(md.contains("No scenario of this run measured a goal."), md);
  }

  @Test
  void render_scenarios_sectionsInRunOrderWithStatusAndDemotedHeadings() {
    List<Report.Timing> timings = List.of(
        Report.Timing.parse("write\tok\t61.5\t"),
        Report.Timing.parse("upload\tskipped\t0\tmain class not in the jar yet: UploadVolumeBench"),
        Report.Timing.parse("lag\tfailed: LagBench exit 1\t12.0\t"));
    Map<String, String> sections = new LinkedHashMap<>();
    sections.put("write", "# Write overhead\n\n| a |\n|---|\n| 1 |\n");
    sections.put("lag", "# Lag\n\npartial output\n");
    String md = Report.render(INFO, "m", timings, List.of(), sections, "h.md");

    assertTrue(md.contains("| [write](#scenario-write) | ok | 1 min 02 s |"), md);
    assertTrue(md.contains("| [upload](#scenario-upload) | skipped: main class not in the jar yet: UploadVolumeBench | – |"),
        md);
    int w = md.indexOf("## Scenario: write");
    int u = md.indexOf("## Scenario: upload");
    int l = md.indexOf("## Scenario: lag");
    assertTrue(w > 0 && w < u && u < l, md);
    assertTrue(md.contains("### Write overhead"), md);
    assertTrue(md.contains("Skipped: main class not in the jar yet: UploadVolumeBench."), md);
    assertTrue(md.substring(l).contains("**failed: LagBench exit 1**"), md);
    assertTrue(md.substring(l).contains("partial output"), md);
  }

  @Test
  void demoteHeadings_codeFenceAndNonHeadingHashes_leftAlone() {
    String in = "# Title\n## Sub\n```sh\n# a shell comment\n```\n#hashtag\ntext # not a heading";
    assertEquals("### Title\n#### Sub\n```sh\n# a shell comment\n```\n#hashtag\ntext # not a heading",
        Report.demoteHeadings(in, 2));
  }

  @Test
  void goalParse_fewerThanFiveFields_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Report.Goal.parse("3\tlag\t5 ms\t≤ 20 ms"));
  }

  @Test
  void minutes_secondsAndMinutes_formatted() {
    assertEquals("59 s", Report.minutes(59.4));
    assertEquals("1 min 00 s", Report.minutes(59.6));
    assertEquals("30 min 00 s", Report.minutes(1800));
  }
}
