package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;
import static dev.runnel.bench.Harness.mmm;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.replicate.ReplicationStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Write overhead: single-row INSERT transactions per second from one writer thread with
 * replication off (bare sqlite-jdbc connection, WAL mode, same pragmas), with Runnel (connection
 * from {@link ReplicatedDatabase#connect()}, file replica on the same disk), and with Litestream
 * 0.3.13 (a {@code litestream replicate DB file://DIR} process beside the bare writer, default
 * settings, replica on the same disk; {@code --litestream PATH}), for synchronous NORMAL and FULL.
 * Runs are interleaved in {@link Harness#balancedOrder} (each system follows each other one equally
 * often over 6 runs) and each one uses a fresh database and, for Litestream, a fresh process that
 * has written its first snapshot.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.WriteOverheadBench [--quick] [--runs N] [--seconds S]
 *     [--litestream PATH]
 * </pre>
 */
public final class WriteOverheadBench {
  private static final String PAYLOAD = "x".repeat(100);
  /** Per-thread CPU of the last runnel run per synchronous mode, for the breakdown table. */
  private static final Map<String, String> THREADS = new LinkedHashMap<>();
  private static Litestream litestream;

  /** "name: % of a core" of the busiest threads between two /proc readings. */
  static String diffTicks(Map<String, Long> a, Map<String, Long> b, long wallNanos) {
    double wallTicks = wallNanos / 1e9 * 100; // USER_HZ
    return b.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - a.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(6)
        .map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%.1f", 100 * e.getValue() / wallTicks) + "%")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** cpuMsPer1kTx counts this JVM plus, for Litestream, the litestream process. */
  record Sample(double txPerSec, double cpuMsPer1kTx, double catchUpMs, long syncs, long uploads, long checkpoints,
      double checkpointMs, long stalls, double stallMs) {}

  /** Where replicas go; null = beside the database (the default, same disk). For analysis runs only. */
  private static Path replicaBase;

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    String rb = args.string("replica-base", "");
    replicaBase = rb.isEmpty() ? null : Path.of(rb);
    int runs = args.intValue("runs", 3, 6); // full: one whole balanced design of 3 systems
    double seconds = args.doubleValue("seconds", 1, 6);
    int warmup = args.intValue("warmup", 300, 1000);
    List<String> syncModes = List.of(args.string("synchronous", "NORMAL,FULL").split(","));
    litestream = Litestream.find(args.string("litestream", ""));
    List<String> systems = litestream == null ? List.of("bare", "runnel") : List.of("bare", "runnel", "litestream");
    Harness.printHeader("Replication engine: write overhead");
    System.out.printf("runs=%d seconds=%.1f warmup=%d tx; one writer thread, autocommit single-row INSERT "
        + "(%d-byte text payload), fresh database per run; systems: %s%s%n%n", runs, seconds, warmup,
        PAYLOAD.length(), systems, litestream == null ? " (Litestream baseline skipped: no executable at "
            + "--litestream '" + args.string("litestream", "") + "')" : " (" + litestream.version() + ")");

    Map<String, List<Sample>> results = new LinkedHashMap<>();
    // One JIT warm-up pass of each mode, not recorded.
    for (String sync : syncModes) {
      for (String system : systems) {
        once(system, sync, args.quick() ? 0.3 : 1, warmup);
      }
    }
    // Full mode runs whole balanced designs (6 rounds for 3 systems); quick mode is a smoke run.
    int rounds = args.quick() ? runs : Harness.balancedRuns(runs, systems.size());
    for (int r = 0; r < rounds; r++) {
      for (String sync : syncModes) {
        for (int k = 0; k < systems.size(); k++) {
          String system = systems.get(Harness.balancedOrder(systems.size(), r)[k]);
          Sample s = once(system, sync, seconds, warmup);
          String key = sync + "/" + system;
          results.computeIfAbsent(key, x -> new ArrayList<>()).add(s);
          System.out.printf("run %d %-17s %8.0f tx/s  cpu %.2f ms/1k tx  stalls %d (%.0f ms)%s%n", r + 1, key,
              s.txPerSec(), s.cpuMsPer1kTx(), s.stalls(), s.stallMs(), system.equals("runnel") ? String.format(
                  "  catch-up %.1f ms, syncs %d, uploads %d, checkpoints %d (%.0f ms)", s.catchUpMs(), s.syncs(),
                  s.uploads(), s.checkpoints(), s.checkpointMs()) : "");
        }
      }
    }
    System.out.println();
    boolean ls = litestream != null;
    Harness.Table t = new Harness.Table("synchronous", "bare tx/s median (min–max)", "runnel tx/s median (min–max)",
        "runnel / bare (medians)", "runnel / bare per run (paired)", "litestream tx/s median (min–max)",
        "litestream / bare (medians)", "litestream / bare per run (paired)",
        "CPU ms/1k tx bare → runnel → litestream (JVM + litestream process)", "runnel commits per L0 file",
        "goal runnel ≥ 0.90×");
    for (String sync : syncModes) {
      List<Double> b = tx(results.get(sync + "/bare"));
      List<Double> n = tx(results.get(sync + "/runnel"));
      List<Double> l = ls ? tx(results.get(sync + "/litestream")) : List.of();
      double ratio = median(n) / median(b);
      double lsRatio = ls ? median(l) / median(b) : Double.NaN;
      List<Sample> rn = results.get(sync + "/runnel");
      double commitsPerFile = median(rn.stream().map(s -> s.txPerSec() * seconds / Math.max(1, s.syncs())).toList());
      t.row(sync, mmm(b), mmm(n), fmt(ratio) + "×", mmm(paired(n, b)), ls ? mmm(l) : "skipped",
          ls ? fmt(lsRatio) + "×" : "–", ls ? mmm(paired(l, b)) : "–",
          cpu(results.get(sync + "/bare")) + " → " + cpu(rn) + " → " + (ls ? cpu(results.get(sync + "/litestream"))
              : "–"),
          fmt(commitsPerFile), ratio >= 0.90 ? "met" : "MISSED");
      Harness.goal("3", "write overhead, small transactions, synchronous=" + sync + ": Runnel tx/s vs bare SQLite",
          fmt(ratio) + "× of medians (paired " + mmm(paired(n, b)) + ")" + (ls ? "; Litestream 0.3.13: "
              + fmt(lsRatio) + "×" : ""), "≥ 0.90×", ratio >= 0.90);
    }
    t.print();
    Harness.Table c = new Harness.Table("synchronous", "runnel catch-up after last commit, ms: median (min–max)");
    for (String sync : syncModes) {
      c.row(sync, mmm(results.get(sync + "/runnel").stream().map(Sample::catchUpMs).toList()));
    }
    c.print();
    Harness.Table th = new Harness.Table("synchronous", "busiest threads in the last runnel run (% of one core)");
    THREADS.forEach(th::row);
    th.print();
  }

  private static List<Double> tx(List<Sample> xs) {
    return xs.stream().map(Sample::txPerSec).toList();
  }

  private static String cpu(List<Sample> xs) {
    return fmt(median(xs.stream().map(Sample::cpuMsPer1kTx).toList()));
  }

  private static List<Double> paired(List<Double> x, List<Double> base) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < x.size(); i++) {
      out.add(x.get(i) / base.get(i));
    }
    return out;
  }

  private static Sample once(String system, String synchronous, double seconds, int warmup) throws Exception {
    Path dir = Harness.tempDir("write");
    Path db = dir.resolve("bench.db");
    try {
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setBusyTimeout(5000);
      Harness.createWalDb(db);
      if (!system.equals("runnel")) {
        try (Litestream.Replicator rep = system.equals("litestream")
            ? litestream.replicate(db, dir.resolve("replica"), dir.resolve("litestream.log"))
                .awaitSnapshot(java.time.Duration.ofSeconds(30)) : null;
            Connection c = cfg.createConnection("jdbc:sqlite:" + db)) {
          try (Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA synchronous = " + synchronous);
          }
          long[] r = loop(c, seconds, warmup, rep == null ? -1 : rep.pid());
          return new Sample(r[0] / (r[1] / 1e9), (r[2] + r[3]) / 1e6 / (r[0] / 1000.0), 0, 0, 0, 0, 0, r[4],
              r[5] / 1e6);
        }
      }
      try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
          ReplicatedDatabase rdb = ReplicatedDatabase.open(db, FileReplicaClient.create(replicaBase == null ? dir.resolve("replica")
              : replicaBase.resolve(dir.getFileName().toString())),
              ReplicationOptions.defaults(), rt)) {
        rdb.sync();
        long[] r;
        try (Connection c = rdb.connect()) {
          try (Statement st = c.createStatement()) {
            st.execute("PRAGMA synchronous = " + synchronous);
          }
          ReplicationStatus before = rdb.status();
          Map<String, Long> ticks0 = Harness.threadTicksByName();
          r = loop(c, seconds, warmup, -1);
          THREADS.put(synchronous, diffTicks(ticks0, Harness.threadTicksByName(), r[1]));
          long t0 = System.nanoTime();
          rdb.sync();
          double catchUp = Harness.ms(System.nanoTime() - t0);
          ReplicationStatus after = rdb.status();
          return new Sample(r[0] / (r[1] / 1e9), r[2] / 1e6 / (r[0] / 1000.0), catchUp,
              after.syncCount() - before.syncCount(), after.uploadCount() - before.uploadCount(),
              after.checkpointCount() - before.checkpointCount(),
              Harness.ms(checkpointNanos(after) - checkpointNanos(before)), r[4], r[5] / 1e6);
        }
      }
    } finally {
      Harness.deleteTree(dir);
      if (replicaBase != null) {
        Harness.deleteTree(replicaBase.resolve(dir.getFileName().toString()));
      }
    }
  }

  private static long checkpointNanos(ReplicationStatus s) {
    return s.checkpoints().values().stream().mapToLong(c -> c.time().toNanos()).sum();
  }

  /**
   * Returns {transactions, elapsed ns, process CPU ns, CPU ns of process {@code otherPid} (0 when
   * -1), stalls, stall ns} of the timed part. A stall is a batch of 16 commits that took over 1 ms
   * (about 20× the usual): the writer waited for a lock, a checkpoint or an fsync.
   */
  private static long[] loop(Connection c, double seconds, int warmup, long otherPid) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      ps.setString(1, PAYLOAD);
      for (int i = 0; i < warmup; i++) {
        ps.executeUpdate();
      }
      long n = 0;
      long cpu0 = Harness.processCpuNanos();
      double other0 = otherPid < 0 ? 0 : Harness.processCpuMs(otherPid);
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      long now;
      long prev = t0;
      long stalls = 0;
      long stallNanos = 0;
      do {
        for (int i = 0; i < 16; i++) {
          ps.executeUpdate();
        }
        n += 16;
        now = System.nanoTime();
        if (now - prev > 1_000_000) {
          stalls++;
          stallNanos += now - prev;
        }
        prev = now;
      } while (now < end);
      long other = otherPid < 0 ? 0 : (long) ((Harness.processCpuMs(otherPid) - other0) * 1e6);
      return new long[] {n, now - t0, Harness.processCpuNanos() - cpu0, other, stalls, stallNanos};
    }
  }
}
