package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;

import dev.runnel.compact.CompactionConfig;
import dev.runnel.replica.CountingReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 6 over a longer simulated horizon (hours instead of minutes): the same simulated Runnel
 * run as {@link UploadVolumeBench}, at a lower update rate so that hours of simulated time stay
 * quick, with bytes and PUT requests counted per simulated hour and level, and the latest restore
 * planned at the end of every hour (files and bytes it would read). Shows what the cumulative
 * level files cost as their periods grow, and what a level layout costs a restore.
 */
final class UploadHorizon {
  private static final int[] LEVELS = {0, 1, 2, 3, 9};
  private static final Duration SAMPLE_EVERY = Duration.ofMinutes(5);

  /** One simulated hour: what was uploaded during it and the latest restore plan at its end. */
  record Hour(CountingReplicaClient.Counts uploaded, int planFiles, long planBytes) {}

  /**
   * @param samples latest restore plans taken one update before every 5-minute boundary (the
   *                moment Litestream's layout has the most L1 and L2 files pending)
   */
  record Run(String layout, CountingReplicaClient.Counts initial, List<Hour> hours, List<Hour> samples,
      double seconds) {
    long totalPutBytes() {
      return initial.putBytes() + hours.stream().mapToLong(h -> h.uploaded.putBytes()).sum();
    }

    long steadyPutBytes() {
      return hours.stream().mapToLong(h -> h.uploaded.putBytes()).sum();
    }

    long steadyPuts() {
      return hours.stream().mapToLong(h -> h.uploaded.puts()).sum();
    }

    int maxPlanFiles() {
      return samples.stream().mapToInt(Hour::planFiles).max().orElse(0);
    }

    double meanPlanFiles() {
      return samples.stream().mapToInt(Hour::planFiles).average().orElse(0);
    }

    double meanPlanBytes() {
      return samples.stream().mapToLong(Hour::planBytes).average().orElse(0);
    }
  }

  private UploadHorizon() {}

  /**
   * A named level layout: {@code default} (CompactionConfig.defaults()), {@code litestream}
   * (Litestream 0.5's layout), {@code uncapped} (cumulative level files rewritten without bound),
   * or {@code ratio=R} (cumulative with {@code cumulativeRewriteRatio} R).
   */
  static CompactionConfig layout(String name) {
    if (name.startsWith("ratio=")) {
      return CompactionConfig.defaults().withCumulativeRewriteRatio(Double.parseDouble(name.substring(6)));
    }
    return switch (name) {
      case "default" -> CompactionConfig.defaults();
      case "litestream" -> CompactionConfig.litestream();
      case "uncapped" -> CompactionConfig.defaults().withCumulativeRewriteRatio(Double.POSITIVE_INFINITY);
      default -> throw new IllegalArgumentException("--horizon-layouts: default, litestream, uncapped or ratio=R, not "
          + name);
    };
  }

  static Run run(Path src, Path dir, List<UploadVolumeBench.Update> updates, double rate, String layout)
      throws Exception {
    List<Hour> hours = new ArrayList<>();
    List<Hour> samples = new ArrayList<>();
    Instant[] next = {null, null};
    Duration step = Duration.ofMillis(Math.round(1000 / rate));
    UploadVolumeBench.SimRun sim = UploadVolumeBench.runnelSimulated(src, dir, updates, rate, layout(layout), true,
        (now, replica, replicaDir) -> {
          if (next[0] == null) {
            // The first update: the initial upload ended one step before.
            Instant start = now.minus(step);
            next[0] = start.plus(Duration.ofHours(1));
            next[1] = start.plus(SAMPLE_EVERY).minus(step);
          }
          if (!now.isBefore(next[1])) {
            RestorePlan plan = RestorePlanner.plan(FileReplicaClient.create(replicaDir), RestoreTarget.latest());
            samples.add(new Hour(null, plan.files().size(), plan.totalSize()));
            next[1] = next[1].plus(SAMPLE_EVERY);
          }
          if (!now.isBefore(next[0])) {
            CountingReplicaClient.Counts c = replica.snapshot();
            RestorePlan plan = RestorePlanner.plan(FileReplicaClient.create(replicaDir), RestoreTarget.latest());
            hours.add(new Hour(c, plan.files().size(), plan.totalSize()));
            next[0] = next[0].plus(Duration.ofHours(1));
          }
        });
    // Hours hold cumulative counts so far; turn them into per-hour differences.
    List<Hour> perHour = new ArrayList<>();
    CountingReplicaClient.Counts prev = sim.initial();
    for (Hour h : hours) {
      perHour.add(new Hour(h.uploaded.minus(prev), h.planFiles, h.planBytes));
      prev = h.uploaded;
    }
    return new Run(layout, sim.initial(), perHour, samples, sim.seconds());
  }

  static void print(List<Run> runs, double dbMb, double rate, int updates) {
    int hours = runs.getFirst().hours().size();
    System.out.printf(Locale.ROOT, "Longer horizon (simulated clock, one run per layout): %d simulated hours, %d "
        + "single-row UPDATEs at %.2f per second on the %.1f MB database, same generator; \"default\" = "
        + "CompactionConfig.defaults(), \"uncapped\" = cumulative level files rewritten without bound, \"ratio=R\" = "
        + "cumulativeRewriteRatio R, \"litestream\" = Litestream 0.5's layout. Per hour: PUT files and "
        + "MB by level, then the latest restore planned at the end of the hour (files, MB it reads); the summary also "
        + "plans it one update before every 5-minute boundary, when the most L1 and L2 files are pending.%n%n", hours,
        updates, rate, dbMb);
    Harness.Table s = new Harness.Table("layout", "initial PUTs, MB", "PUTs per hour", "GETs per hour (MB)",
        "MB per hour (min–max)",
        "MB in " + hours + " h incl. initial", "latest restore at the end: files, MB",
        "latest restore before each 5 min boundary: files mean (max), MB mean", "real time s");
    for (Run r : runs) {
      List<Double> mbPerHour = r.hours().stream().map(h -> h.uploaded.putBytes() / 1e6).toList();
      Hour last = r.hours().getLast();
      s.row(r.layout(), r.initial().puts() + ", " + fmt(r.initial().putBytes() / 1e6),
          fmt(r.steadyPuts() / (double) hours), fmt(r.hours().stream().mapToLong(h -> h.uploaded.gets()).sum()
              / (double) hours) + " (" + fmt(r.hours().stream().mapToLong(h -> h.uploaded.getBytes()).sum() / 1e6
              / hours) + ")", fmt(r.steadyPutBytes() / 1e6 / hours) + " (" + fmt(Harness.min(
              mbPerHour)) + "–" + fmt(Harness.max(mbPerHour)) + ")", fmt(r.totalPutBytes() / 1e6), last.planFiles
              + ", " + fmt(last.planBytes / 1e6), fmt(r.meanPlanFiles()) + " (" + r.maxPlanFiles() + "), "
              + fmt(r.meanPlanBytes() / 1e6), fmt(r.seconds()));
    }
    s.print();
    for (Run r : runs) {
      Harness.Table t = new Harness.Table("layout " + r.layout() + ": hour", "L0 files, MB", "L1", "L2", "L3",
          "L9 snapshot", "all PUTs, MB", "DELETE requests (files)", "latest restore: files, MB");
      int i = 0;
      for (Hour h : r.hours()) {
        List<Object> row = new ArrayList<>();
        row.add(++i);
        for (int lv : LEVELS) {
          row.add(h.uploaded.putsByLevel()[lv] + ", " + fmt(h.uploaded.putBytesByLevel()[lv] / 1e6));
        }
        row.add(h.uploaded.puts() + ", " + fmt(h.uploaded.putBytes() / 1e6));
        row.add(h.uploaded.deleteCalls() + " (" + h.uploaded.filesDeleted() + ")");
        row.add(h.planFiles + ", " + fmt(h.planBytes / 1e6));
        t.row(row.toArray());
      }
      t.print();
    }
  }
}
