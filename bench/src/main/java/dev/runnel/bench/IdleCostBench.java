package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.replicate.ReplicationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Idle cost of many replicated databases in one process: opens N small databases, each with its
 * own file replica directory, on one shared {@link ReplicationRuntime} with default options (1 s
 * monitor interval, 1 min checkpoint interval), waits until all are replicated, then measures
 * process CPU time in consecutive windows while nothing writes. Before opening anything, the same
 * window is measured on the bare JVM (harness only) as a baseline.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.IdleCostBench [--quick] [--dbs N] [--window S] [--windows K]
 * </pre>
 */
public final class IdleCostBench {
  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    int dbs = args.intValue("dbs", 200, 500);
    int windowSec = args.intValue("window", 10, 30);
    int windows = args.intValue("windows", 2, 5);
    int settleSec = args.intValue("settle", 3, 5);
    Harness.printHeader("Replication engine: idle cost of " + dbs + " databases");
    System.out.printf(Locale.ROOT, "dbs=%d window=%d s windows=%d settle=%d s; default options (monitor 1 s, "
        + "checkpoint interval 1 min); one ReplicationRuntime (2 scheduler threads); one file replica dir per db; "
        + "fd limit %s%n%n", dbs, windowSec, windows, settleSec, fdLimit());

    Path dir = Harness.tempDir("idle");
    List<ReplicatedDatabase> open = new ArrayList<>();
    Harness.Table t = new Harness.Table("phase", "window (s after all replicated)", "CPU % of one core",
        "goal ≤ 1 %", "syncs in window", "uploads in window", "busiest threads (% of one core)");
    try {
      // Baseline: the JVM with the harness loaded and nothing open.
      Window base = measure(windowSec, List.of());
      t.row("bare JVM (nothing open)", "0–" + windowSec, fmt(base.cpuPct), "–", 0, 0, base.threads);

      SQLiteConfig cfg = new SQLiteConfig();
      long tc0 = System.nanoTime();
      for (int i = 0; i < dbs; i++) {
        Path db = dir.resolve("db-" + i + ".db");
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
          st.execute("PRAGMA journal_mode = WAL");
          st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
          for (int k = 0; k < 10; k++) {
            st.execute("INSERT INTO t (v) VALUES ('row " + k + " of a small idle database')");
          }
        }
      }
      double createS = (System.nanoTime() - tc0) / 1e9;
      int fdBefore = Harness.fdCount();
      int threadsBefore = Harness.threadCount();
      long heapBefore = Harness.heapUsedAfterGc();
      long rssBefore = Harness.procKb("/proc/self/status", "VmRSS:");

      ReplicationRuntime rt = ReplicationRuntime.createDefault();
      long to0 = System.nanoTime();
      for (int i = 0; i < dbs; i++) {
        open.add(ReplicatedDatabase.open(dir.resolve("db-" + i + ".db"),
            FileReplicaClient.create(dir.resolve("replica-" + i)), ReplicationOptions.defaults(), rt));
      }
      double openS = (System.nanoTime() - to0) / 1e9;
      for (ReplicatedDatabase d : open) {
        if (!d.awaitReplicated(d.localTxId(), Duration.ofSeconds(120))) {
          throw new IllegalStateException(d.path() + " not replicated");
        }
      }
      double replicatedS = (System.nanoTime() - to0) / 1e9;
      Harness.sleepMs(settleSec * 1000L);
      int fdAfter = Harness.fdCount();
      int threadsAfter = Harness.threadCount();
      long heapAfter = Harness.heapUsedAfterGc();
      long rssAfter = Harness.procKb("/proc/self/status", "VmRSS:");

      List<Double> pcts = new ArrayList<>();
      for (int w = 0; w < windows; w++) {
        int from = settleSec + w * windowSec;
        Window win = measure(windowSec, open);
        pcts.add(win.cpuPct);
        t.row(dbs + " idle dbs", from + "–" + (from + windowSec), fmt(win.cpuPct), win.cpuPct <= 1 ? "met" : "MISSED",
            win.syncs, win.uploads, win.threads);
      }
      t.print();
      Harness.Table f = new Harness.Table("fact", "before opening", "after opening " + dbs + " dbs", "per db");
      f.row("open file descriptors (/proc/self/fd)", fdBefore, fdAfter, fmt((fdAfter - fdBefore) / (double) dbs));
      f.row("threads (/proc/self/status)", threadsBefore, threadsAfter, fmt((threadsAfter - threadsBefore)
          / (double) dbs));
      f.row("heap used after GC, MiB", fmt(heapBefore / 1048576.0), fmt(heapAfter / 1048576.0),
          fmt((heapAfter - heapBefore) / 1024.0 / dbs) + " KiB");
      f.row("RSS, MiB", fmt(rssBefore / 1024.0), fmt(rssAfter / 1024.0), fmt((rssAfter - rssBefore) / (double) dbs)
          + " KiB");
      f.row("time to create the db files, s", "–", fmt(createS), "–");
      f.row("time to open all (ReplicatedDatabase.open), s", "–", fmt(openS), fmt(openS * 1000 / dbs) + " ms");
      f.row("time until all replicated, s", "–", fmt(replicatedS), "–");
      f.row("CPU % of one core: median (min–max) of windows", "–", Harness.mmm(pcts), "–");
      f.print();
    } catch (Throwable e) {
      t.print();
      System.out.println("FAILED after opening " + open.size() + " of " + dbs + " databases (fds " + Harness.fdCount()
          + ", limit " + fdLimit() + "): " + e);
      throw e;
    } finally {
      long tc = System.nanoTime();
      for (ReplicatedDatabase d : open) {
        try {
          d.close();
        } catch (Exception e) {
          System.out.println("close " + d.path() + ": " + e);
        }
      }
      System.out.printf(Locale.ROOT, "closed %d databases in %.1f s%n", open.size(), (System.nanoTime() - tc) / 1e9);
      Harness.deleteTree(dir);
    }
  }

  record Window(double cpuPct, long syncs, long uploads, String threads) {}

  private static Window measure(int seconds, List<ReplicatedDatabase> dbs) {
    long[] s0 = counters(dbs);
    Map<String, Long> ticks0 = Harness.threadTicksByName();
    long cpu0 = Harness.processCpuNanos();
    long t0 = System.nanoTime();
    Harness.sleepMs(seconds * 1000L);
    long wall = System.nanoTime() - t0;
    long cpu = Harness.processCpuNanos() - cpu0;
    String threads = WriteOverheadBench.diffTicks(ticks0, Harness.threadTicksByName(), wall);
    long[] s1 = counters(dbs);
    return new Window(100.0 * cpu / wall, s1[0] - s0[0], s1[1] - s0[1], threads.isEmpty() ? "–" : threads);
  }

  private static long[] counters(List<ReplicatedDatabase> dbs) {
    long syncs = 0;
    long uploads = 0;
    for (ReplicatedDatabase d : dbs) {
      ReplicationStatus s = d.status();
      syncs += s.syncCount();
      uploads += s.uploadCount();
    }
    return new long[] {syncs, uploads};
  }

  private static String fdLimit() {
    try {
      return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
          .map(l -> l.replaceAll("\\s+", " ").replace("Max open files ", "")).findFirst().orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
