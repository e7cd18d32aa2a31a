package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;

import dev.runnel.compact.CompactionConfig;
import dev.runnel.compact.CompactionService;
import dev.runnel.replica.CountingReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * Scenario 6, upload volume: bytes and requests sent to the replica by a workload of small updates
 * to a ~100 MB database over 10 minutes, for Runnel, the "ultra-simple" design (upload the whole
 * LZ4-compressed file every 30 s when it changed) and Litestream 0.3.13.
 * <ol>
 *   <li><b>Runnel, simulated clock</b>: {@link ReplicatedDatabase} with default options on a
 *       {@link ReplicationRuntime} and a manual {@link CompactionService} (default compaction:
 *       levels 30 s / 5 min / 1 h, snapshot 24 h, L0 retention 5 min) sharing a
 *       {@link SimulatedClock}; the replica is a file replica behind {@link CountingReplicaClient}. Each
 *       update advances the clock by 1/rate s, commits through a Runnel-opened connection, calls
 *       {@code sync()} (one L0 file per commit, what prompt syncing does in real time when commits
 *       are further apart than a sync) and runs the due compaction monitors. "Initial" = open
 *       (first full-page L0) + the compaction service's first pass; "10 min" = everything after.
 *       The first run restores the replica and compares its rows with the database.</li>
 *   <li><b>Ultra-simple</b>: the same updates on another copy; at each 30 s boundary the writer's
 *       connection is closed (SQLite checkpoints and removes the WAL) and the whole file is really
 *       compressed with LZ4 (frame format, lz4-java's defaults, 4 MB blocks) to count the bytes of
 *       one PUT; plus one initial upload. Deterministic, so run once.</li>
 *   <li><b>Real time, side by side</b>: Litestream 0.3.13 ({@code litestream replicate DB
 *       file://DIR}, default 1 s sync interval) and Runnel (background {@code CompactionService},
 *       system clock), each on its own copy, written by one thread at the same rate with the same
 *       updates (Litestream's copy through a plain connection, Runnel's through its own). Its clock
 *       cannot be simulated, so the window is shorter; steady-state numbers are extrapolated
 *       linearly to 10 minutes (× 600 s / window).</li>
 * </ol>
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.UploadVolumeBench [--quick] [--litestream PATH] [--db-mb N]
 *     [--rate UPDATES_PER_S] [--minutes M] [--runs K] [--realtime S] [--layouts cumulative,litestream]
 *     [--horizon-hours H] [--horizon-rate UPDATES_PER_S] [--horizon-layouts default,uncapped,ratio=R,litestream]
 *     [--horizon-only]
 * </pre>
 * The longer horizon ({@link UploadHorizon}, default 6 simulated hours at 0.5 updates/s; quick: 1
 * hour, default layout only; {@code --horizon-hours 0} skips it) runs last.
 */
public final class UploadVolumeBench {
  private static final int ULTRA_INTERVAL_S = 30;
  private static final String UPDATE_SQL = "UPDATE t SET v = ? WHERE id = ?";

  record Update(long id, String value) {}

  record SimRun(CountingReplicaClient.Counts initial, CountingReplicaClient.Counts steady, double seconds) {}

  record Ultra(long initialBytes, List<Long> uploads) {
    long steadyBytes() {
      return uploads.stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Files and bytes of a Litestream 0.3 file replica, snapshots and WAL segments apart. */
  record LsFiles(long snapshots, long snapshotBytes, long walFiles, long walBytes) {
    long files() {
      return snapshots + walFiles;
    }

    long bytes() {
      return snapshotBytes + walBytes;
    }

    LsFiles minus(LsFiles o) {
      return new LsFiles(snapshots - o.snapshots, snapshotBytes - o.snapshotBytes, walFiles - o.walFiles,
          walBytes - o.walBytes);
    }
  }

  record RealTime(double seconds, int updates, LsFiles lsInitial, LsFiles lsSteady, CountingReplicaClient.Counts rnInitial,
      CountingReplicaClient.Counts rnSteady) {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    boolean quick = args.quick();
    int dbMb = args.intValue("db-mb", 25, 100);
    double rate = args.doubleValue("rate", 2, 2);
    int minutes = args.intValue("minutes", 10, 10);
    int runs = args.intValue("runs", 1, 3);
    int realtimeS = args.intValue("realtime", 20, 120);
    Litestream ls = Litestream.find(args.string("litestream", ""));
    Harness.printHeader(
        "Scenario 6: upload volume of small updates — Runnel vs whole-file uploads vs Litestream 0.3.13");

    // The Litestream process would outlive a ^C.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroy)));
    Path work = Harness.tempDir("upload");
    try {
      Path src = work.resolve("src.db");
      long tb = System.nanoTime();
      TenantBench.buildDb(src, dbMb);
      long rows;
      long dbBytes = Files.size(src);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + src); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT max(id) FROM t")) {
        rs.next();
        rows = rs.getLong(1);
      }
      int horizonHours = args.intValue("horizon-hours", 1, 6);
      double horizonRate = args.doubleValue("horizon-rate", 0.5, 0.5);
      String horizonLayouts = args.string("horizon-layouts", quick ? "default" : "default,uncapped,litestream");
      if (args.flag("horizon-only")) {
        horizon(src, work, dbBytes / 1e6, rows, horizonHours, horizonRate, horizonLayouts);
        return;
      }
      int n = (int) Math.round(minutes * 60 * rate);
      List<Update> updates = updates(n, rows, 11);
      System.out.printf(Locale.ROOT, "database: %.1f MB (%d rows of ~1,000 characters of random words, 4 KiB "
          + "pages; built in %.1f s); workload: %d single-row UPDATEs (a row's text replaced by new text of the same "
          + "size, rows drawn uniformly at random, seed 11), %.1f per second of simulated time for %d minutes; the "
          + "same database and updates for every system. Runnel: default ReplicationOptions and CompactionConfig, "
          + "file replica.%s%n%n", dbBytes / 1e6, rows, (System.nanoTime() - tb) / 1e9, n, rate, minutes,
          quick ? " Quick mode: " + dbMb + " MB database, " + runs + " simulated run(s), real-time window "
              + realtimeS + " s." : "");

      // Its counts do not depend on timing, so it runs beside the simulated runs to save wall time.
      CompletableFuture<Ultra> ultraF = CompletableFuture.supplyAsync(() -> {
        try {
          long tu = System.nanoTime();
          Ultra u = ultraSimple(src, work.resolve("ultra"), updates, rate);
          System.err.printf(Locale.ROOT, "[upload] ultra-simple: %.1f s%n", (System.nanoTime() - tu) / 1e9);
          return u;
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      Map<String, List<SimRun>> byLayout = new LinkedHashMap<>();
      for (String layout : args.string("layouts", "cumulative").split(",")) {
        CompactionConfig cc = switch (layout) {
          case "cumulative" -> CompactionConfig.defaults();
          case "litestream" -> CompactionConfig.litestream();
          default -> throw new IllegalArgumentException("--layouts: cumulative or litestream, not " + layout);
        };
        List<SimRun> runsOfLayout = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          runsOfLayout.add(runnelSimulated(src, work.resolve("sim-" + layout + "-" + r), updates, rate, cc, r == 0));
          System.err.printf(Locale.ROOT, "[upload] simulated run %d (%s levels): %.1f s%n", r + 1, layout,
              runsOfLayout.getLast().seconds);
        }
        byLayout.put(layout, runsOfLayout);
      }
      List<SimRun> sims = byLayout.values().iterator().next();
      Ultra ultra = ultraF.join();
      printSimulated(byLayout, ultra, minutes, rate, n);

      if (ls == null) {
        System.out.println("Real-time comparison with Litestream skipped: no executable at --litestream '"
            + args.string("litestream", "") + "'");
      } else {
        int rtUpdates = (int) Math.round(realtimeS * rate);
        RealTime rt = realTime(ls, src, work.resolve("realtime"), updates.subList(0, Math.min(rtUpdates, n)), rate);
        printRealTime(ls, rt, sims, minutes, rate);
      }
      if (horizonHours > 0) {
        horizon(src, work, dbBytes / 1e6, rows, horizonHours, horizonRate, horizonLayouts);
      }
    } finally {
      Harness.deleteTree(work);
    }
  }

  /** The longer simulated horizon ({@link UploadHorizon}), one run per layout. */
  private static void horizon(Path src, Path work, double dbMb, long rows, int hours, double rate, String layouts)
      throws Exception {
    int n = (int) Math.round(hours * 3600 * rate);
    List<Update> updates = updates(n, rows, 11);
    List<UploadHorizon.Run> runs = new ArrayList<>();
    for (String layout : layouts.split(",")) {
      runs.add(UploadHorizon.run(src, work.resolve("horizon-" + runs.size()), updates, rate, layout));
      System.err.printf(Locale.ROOT, "[upload] %d simulated hours (%s): %.1f s%n", hours, layout,
          runs.getLast().seconds());
      Harness.deleteTree(work.resolve("horizon-" + (runs.size() - 1)));
    }
    UploadHorizon.print(runs, dbMb, rate, n);
  }

  /** Deterministic updates: random rows, new random-word text of ~1,000 characters (the rows' size). */
  static List<Update> updates(int n, long rows, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Update> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder(1100);
      while (sb.length() < 1000) {
        sb.append(Long.toString(rnd.nextLong(1L << 40), 36)).append(' ');
      }
      out.add(new Update(1 + rnd.nextLong(rows), sb.toString()));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------- Runnel, simulated

  /** Called after each simulated update (and its sync and compaction monitors). */
  interface Probe {
    void afterUpdate(Instant now, CountingReplicaClient replica, Path replicaDir) throws Exception;
  }

  static SimRun runnelSimulated(Path src, Path dir, List<Update> updates, double rate, CompactionConfig compaction,
      boolean verify) throws Exception {
    return runnelSimulated(src, dir, updates, rate, compaction, verify, (now, replica, replicaDir) -> {});
  }

  static SimRun runnelSimulated(Path src, Path dir, List<Update> updates, double rate, CompactionConfig compaction,
      boolean verify, Probe probe) throws Exception {
    Files.createDirectories(dir);
    Path db = dir.resolve("db.db");
    Files.copy(src, db);
    Path replicaDir = dir.resolve("replica");
    SimulatedClock clock = new SimulatedClock(Instant.parse("2026-01-01T00:00:00Z"));
    long t0 = System.nanoTime();
    Duration step = Duration.ofMillis(Math.round(1000 / rate));
    CountingReplicaClient.Counts initial;
    CountingReplicaClient.Counts end;
    try (ReplicationRuntime rt = new ReplicationRuntime(2, 16, clock)) {
      CountingReplicaClient replica = new CountingReplicaClient(FileReplicaClient.create(replicaDir));
      ReplicatedDatabase rdb = ReplicatedDatabase.open(db, replica, ReplicationOptions.defaults(), rt);
      try (CompactionService svc = CompactionService.manual(compaction, clock)) {
        rdb.sync();
        svc.attach(rdb);
        svc.runDue();
        initial = replica.snapshot();
        try (Connection c = rdb.connect(); PreparedStatement ps = c.prepareStatement(UPDATE_SQL)) {
          for (Update u : updates) {
            clock.advance(step);
            apply(ps, u);
            rdb.sync();
            svc.runDue();
            probe.afterUpdate(clock.instant(), replica, replicaDir);
          }
        }
        end = replica.snapshot();
        if (svc.stats().errors() > 0) {
          throw new IllegalStateException("compaction reported " + svc.stats().errors() + " errors");
        }
        if (verify) {
          verifyReplica(rdb, replicaDir, dir.resolve("restored.db"));
        }
      } finally {
        rdb.close();
      }
    }
    return new SimRun(initial, end.minus(initial), (System.nanoTime() - t0) / 1e9);
  }

  private static void apply(PreparedStatement ps, Update u) throws Exception {
    ps.setString(1, u.value());
    ps.setLong(2, u.id());
    if (ps.executeUpdate() != 1) {
      throw new IllegalStateException("row " + u.id() + " not found");
    }
  }

  /** Restores the replica (uncounted client) and fails unless its rows equal the live database's. */
  private static void verifyReplica(ReplicatedDatabase rdb, Path replicaDir, Path out) throws Exception {
    Restorer.restore(FileReplicaClient.create(replicaDir), RestoreTarget.latest(), out,
        Restorer.Options.defaults());
    String live;
    try (Connection c = rdb.connect()) {
      live = rowsHash(c);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out)) {
      String restored = rowsHash(c);
      if (!restored.equals(live)) {
        throw new IllegalStateException("restored replica differs from the database: " + restored + " vs " + live);
      }
    }
    Files.delete(out);
    System.err.println("[upload] replica restored and equal to the database (rows hash " + live.substring(0, 16)
        + "…)");
  }

  private static String rowsHash(Connection c) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
      while (rs.next()) {
        md.update(Long.toString(rs.getLong(1)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(rs.getBytes(2));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  // ------------------------------------------------------------------------------------- ultra-simple

  static Ultra ultraSimple(Path src, Path dir, List<Update> updates, double rate) throws Exception {
    Files.createDirectories(dir);
    Path db = dir.resolve("db.db");
    Files.copy(src, db);
    long initial = lz4Size(db);
    int perInterval = (int) Math.round(ULTRA_INTERVAL_S * rate);
    List<Long> uploads = new ArrayList<>();
    int i = 0;
    while (i < updates.size()) {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          PreparedStatement ps = c.prepareStatement(UPDATE_SQL)) {
        for (int k = 0; k < perInterval && i < updates.size(); k++, i++) {
          apply(ps, updates.get(i));
        }
      }
      // The last connection closed: SQLite checkpointed and removed the WAL, the file is whole.
      uploads.add(lz4Size(db));
    }
    return new Ultra(initial, uploads);
  }

  private static long lz4Size(Path file) throws IOException {
    long[] n = {0};
    OutputStream counter = new OutputStream() {
      @Override
      public void write(int b) {
        n[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        n[0] += len;
      }
    };
    try (OutputStream out = new LZ4FrameOutputStream(counter)) {
      Files.copy(file, out);
    }
    return n[0];
  }

  // ------------------------------------------------------------------------------------- real time

  static RealTime realTime(Litestream ls, Path src, Path dir, List<Update> updates, double rate) throws Exception {
    Files.createDirectories(dir);
    Path lsDb = dir.resolve("ls.db");
    Path rnDb = dir.resolve("rn.db");
    Files.copy(src, lsDb);
    Files.copy(src, rnDb);
    Path lsReplica = dir.resolve("ls-replica");
    long stepNanos = Math.round(1e9 / rate);
    try (Litestream.Replicator rep = ls.replicate(lsDb, lsReplica, dir.resolve("ls.log"));
        ReplicationRuntime rt = ReplicationRuntime.createDefault()) {
      rep.awaitSnapshot(Duration.ofSeconds(120));
      CountingReplicaClient replica = new CountingReplicaClient(FileReplicaClient.create(dir.resolve("rn-replica")));
      ReplicatedDatabase rdb = ReplicatedDatabase.open(rnDb, replica, ReplicationOptions.defaults(), rt);
      try (CompactionService svc = CompactionService.start(CompactionConfig.defaults(), Clock.systemUTC())) {
        rdb.sync();
        svc.attach(rdb);
        Harness.sleepMs(3000); // Litestream's first sync ticks, the compaction service's first pass
        LsFiles lsInitial = lsFiles(lsReplica);
        CountingReplicaClient.Counts rnInitial = replica.snapshot();
        long t0 = System.nanoTime();
        try (Connection lc = DriverManager.getConnection("jdbc:sqlite:" + lsDb);
            PreparedStatement lps = lc.prepareStatement(UPDATE_SQL);
            Connection rc = rdb.connect();
            PreparedStatement rps = rc.prepareStatement(UPDATE_SQL)) {
          try (Statement st = lc.createStatement()) {
            st.execute("PRAGMA busy_timeout = 5000");
          }
          for (int i = 0; i < updates.size(); i++) {
            long wait = t0 + i * stepNanos - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            apply(lps, updates.get(i));
            apply(rps, updates.get(i));
          }
        }
        double seconds = updates.size() / rate;
        Harness.sleepMs(2500); // Litestream's next 1 s sync tick; Runnel syncs at once
        return new RealTime(seconds, updates.size(), lsInitial, lsFiles(lsReplica).minus(lsInitial), rnInitial,
            replica.snapshot().minus(rnInitial));
      } finally {
        rdb.close();
      }
    }
  }

  static LsFiles lsFiles(Path replica) throws IOException {
    long s = 0, sb = 0, w = 0, wb = 0;
    try (Stream<Path> files = Files.walk(replica)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String name = p.toString();
        if (name.endsWith(".tmp")) {
          continue;
        }
        long size = Files.size(p);
        if (name.contains("/snapshots/")) {
          s++;
          sb += size;
        } else if (name.contains("/wal/")) {
          w++;
          wb += size;
        }
      }
    }
    return new LsFiles(s, sb, w, wb);
  }

  // ------------------------------------------------------------------------------------- report

  private static String mb(double bytes) {
    return fmt(bytes / 1e6);
  }

  /** "median (min–max)" over the runs; counts print as integers, a single run as its value. */
  private static String mmm(List<SimRun> sims, ToDoubleFunction<SimRun> f) {
    List<Double> xs = sims.stream().map(s -> f.applyAsDouble(s)).toList();
    boolean ints = xs.stream().allMatch(v -> v == Math.rint(v) && Math.abs(v) < 1e15);
    if (xs.size() == 1 || Harness.min(xs) == Harness.max(xs)) {
      return ints ? Long.toString((long) median(xs)) : fmt(median(xs));
    }
    return ints ? (long) median(xs) + " (" + (long) Harness.min(xs) + "–" + (long) Harness.max(xs) + ")"
        : Harness.mmm(xs);
  }

  private static double med(List<SimRun> sims, ToDoubleFunction<SimRun> f) {
    return median(sims.stream().map(s -> f.applyAsDouble(s)).toList());
  }

  private static void printSimulated(Map<String, List<SimRun>> byLayout, Ultra ultra, int minutes, double rate,
      int n) {
    List<SimRun> first = byLayout.values().iterator().next();
    System.out.println("Simulated " + minutes + " minutes (Runnel: median (min–max) of " + first.size() + " run(s) "
        + "per level layout (\"cumulative\" = Runnel's default cumulative level files, \"litestream\" = "
        + "CompactionConfig.litestream(), Litestream 0.5's layout), each " + Harness.mmm(byLayout.values().stream()
        .flatMap(List::stream).map(SimRun::seconds).toList()) + " s of real time, the ultra-simple pass running "
        + "beside the first; ultra-simple: one PUT of the "
        + "whole LZ4-compressed file at the start and after each " + ULTRA_INTERVAL_S + " s with a change; MB = 10^6 "
        + "bytes):");
    System.out.println();
    Harness.Table t = new Harness.Table("system", "phase", "PUT requests", "PUT MB", "GET requests (MB read)",
        "LIST requests", "DELETE requests (files)", "all requests");
    Harness.Table l = new Harness.Table("Runnel PUTs by level: files, MB (median run)", "L0", "L1", "L2", "L3",
        "L9 snapshot");
    for (var e : byLayout.entrySet()) {
      simulatedRows(t, l, "Runnel, " + e.getKey() + " levels", e.getValue(), minutes);
    }
    t.row("ultra-simple", "initial", 1, mb(ultra.initialBytes()), 0, 0, 0, 1);
    t.row("ultra-simple", minutes + " min of updates", ultra.uploads().size(), mb(ultra.steadyBytes()), 0, 0, 0,
        ultra.uploads().size());
    t.print();
    l.print();
    ratios(first, ultra, minutes, rate, n);
  }

  private static void simulatedRows(Harness.Table t, Harness.Table l, String name, List<SimRun> sims, int minutes) {
    t.row(name, "initial (first full-page L0 + first compaction pass)", mmm(sims, s -> s.initial.puts()),
        mmm(sims, s -> s.initial.putBytes() / 1e6), mmm(sims, s -> s.initial.gets()) + " ("
            + mmm(sims, s -> s.initial.getBytes() / 1e6) + ")", mmm(sims, s -> s.initial.lists()),
        mmm(sims, s -> s.initial.deleteCalls()) + " (" + mmm(sims, s -> s.initial.filesDeleted()) + ")",
        mmm(sims, s -> s.initial.requests()));
    t.row(name, minutes + " min of updates", mmm(sims, s -> s.steady.puts()),
        mmm(sims, s -> s.steady.putBytes() / 1e6), mmm(sims, s -> s.steady.gets()) + " ("
            + mmm(sims, s -> s.steady.getBytes() / 1e6) + ")", mmm(sims, s -> s.steady.lists()),
        mmm(sims, s -> s.steady.deleteCalls()) + " (" + mmm(sims, s -> s.steady.filesDeleted()) + ")",
        mmm(sims, s -> s.steady.requests()));
    int[] levels = {0, 1, 2, 3, 9};
    List<String> init = new ArrayList<>(List.of(name + ", initial"));
    List<String> steady = new ArrayList<>(List.of(name + ", " + minutes + " min"));
    for (int lv : levels) {
      init.add(mmm(sims, s -> s.initial.putsByLevel()[lv]) + ", "
          + mb(med(sims, s -> s.initial.putBytesByLevel()[lv])));
      steady.add(mmm(sims, s -> s.steady.putsByLevel()[lv]) + ", "
          + mb(med(sims, s -> s.steady.putBytesByLevel()[lv])));
    }
    l.row(init.toArray());
    l.row(steady.toArray());
  }

  private static void ratios(List<SimRun> sims, Ultra ultra, int minutes, double rate, int n) {
    double rnSteady = med(sims, s -> s.steady.putBytes());
    double rnTotal = med(sims, s -> s.initial.putBytes() + s.steady.putBytes());
    double ulTotal = ultra.initialBytes() + ultra.steadyBytes();
    System.out.printf(Locale.ROOT, "whole file: %s MB LZ4-compressed at the start, %s–%s MB per upload; %d updates "
        + "→ Runnel uploads %s KB per update in steady state.%n", mb(ultra.initialBytes()),
        mb(ultra.uploads().stream().mapToLong(Long::longValue).min().orElse(0)),
        mb(ultra.uploads().stream().mapToLong(Long::longValue).max().orElse(0)), n, fmt(rnSteady / n / 1e3));
    System.out.printf(Locale.ROOT, "Ratio Runnel / ultra-simple, bytes: %s× in the %d minutes of updates, %s× "
        + "including the initial upload; requests: %s× (%s vs %d).%n", fmt(rnSteady / ultra.steadyBytes()), minutes,
        fmt(rnTotal / ulTotal), fmt(med(sims, s -> s.steady.requests()) / ultra.uploads().size()),
        fmt(med(sims, s -> s.steady.requests())), ultra.uploads().size());
    System.out.printf(Locale.ROOT, "Break-even (linear in bytes per update): Runnel would upload as many bytes as "
        + "the ultra-simple design at ≈ %s updates per second spread over the whole database.%n%n",
        fmt(rate * ultra.steadyBytes() / rnSteady));
  }

  private static void printRealTime(Litestream ls, RealTime rt, List<SimRun> sims, int minutes, double rate) {
    double x = minutes * 60 / rt.seconds();
    double simSteady = med(sims, s -> s.steady.putBytes());
    System.out.printf(Locale.ROOT, "Real time, side by side (one run): %s and Runnel, %d updates at %.1f/s over "
        + "%.0f s on two copies of the database, after both finished their initial upload; steady-state numbers "
        + "× %.1f = extrapolated to %d minutes (linear; Runnel's 5 min L2 compaction and L0 retention fall "
        + "outside a short window, so its simulated run above is the better %d-minute figure). Litestream's "
        + "requests other than file writes (its LISTs, and the GETs it makes on S3) are not counted: a file "
        + "replica cannot see them.%n%n", ls.version(), rt.updates(), rate, rt.seconds(), x, minutes, minutes);
    Harness.Table t = new Harness.Table("system", "initial: files, MB", "in " + fmt(rt.seconds()) + " s: files "
        + "written, MB", "extrapolated " + minutes + " min: files, MB", "initial + " + minutes + " min, MB");
    t.row("Litestream " + ls.version() + " (snapshot + WAL segments)", rt.lsInitial().files() + ", "
        + mb(rt.lsInitial().bytes()), rt.lsSteady().files() + " (" + rt.lsSteady().snapshots() + " snapshots), "
        + mb(rt.lsSteady().bytes()), fmt(rt.lsSteady().files() * x) + ", " + mb(rt.lsSteady().bytes() * x),
        mb(rt.lsInitial().bytes() + rt.lsSteady().bytes() * x));
    t.row("Runnel (LTX files, all levels)", rt.rnInitial().puts() + ", " + mb(rt.rnInitial().putBytes()),
        rt.rnSteady().puts() + ", " + mb(rt.rnSteady().putBytes()), fmt(rt.rnSteady().puts() * x) + ", "
            + mb(rt.rnSteady().putBytes() * x), mb(rt.rnInitial().putBytes() + rt.rnSteady().putBytes() * x));
    t.print();
    System.out.printf(Locale.ROOT, "Runnel real time: %d requests in the window (PUT %d, GET %d, LIST %d, DELETE "
        + "%d).%n", rt.rnSteady().requests(), rt.rnSteady().puts(), rt.rnSteady().gets(), rt.rnSteady().lists(),
        rt.rnSteady().deleteCalls());
    System.out.printf(Locale.ROOT, "Ratio Runnel / Litestream in the same window: bytes %s×, files written %s×; "
        + "initial upload bytes %s×.%n", fmt(rt.rnSteady().putBytes() / (double) rt.lsSteady().bytes()),
        fmt(rt.rnSteady().puts() / (double) rt.lsSteady().files()),
        fmt(rt.rnInitial().putBytes() / (double) rt.lsInitial().bytes()));
    double lsSteady10 = rt.lsSteady().bytes() * x;
    System.out.printf(Locale.ROOT, "Ratio Runnel (simulated %d min, all levels, median) / Litestream (extrapolated): "
        + "bytes %s× in the minutes of updates, %s× including the initial upload; files written %s×.%n", minutes,
        fmt(simSteady / lsSteady10), fmt((med(sims, s -> s.initial.putBytes()) + simSteady)
            / (rt.lsInitial().bytes() + lsSteady10)),
        fmt(med(sims, s -> s.steady.puts()) / (rt.lsSteady().files() * x)));
    double simUpdates = minutes * 60 * rate;
    System.out.printf(Locale.ROOT, "Check of the simulation (L0 only: compaction boundaries differ between a short "
        + "window and %d minutes): real time %s L0 files and %s KB per update, simulated %s and %s; all levels: real "
        + "time %s KB per update, simulated %s.%n%n", minutes,
        fmt(rt.rnSteady().putsByLevel()[0] / (double) rt.updates()),
        fmt(rt.rnSteady().putBytesByLevel()[0] / 1e3 / rt.updates()),
        fmt(med(sims, s -> s.steady.putsByLevel()[0]) / simUpdates),
        fmt(med(sims, s -> s.steady.putBytesByLevel()[0]) / 1e3 / simUpdates),
        fmt(rt.rnSteady().putBytes() / 1e3 / rt.updates()), fmt(simSteady / 1e3 / simUpdates));
  }
}
