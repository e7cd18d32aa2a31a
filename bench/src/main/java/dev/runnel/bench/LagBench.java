package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.percentile;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import java.io.BufferedInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Lag: commit → replica. One writer commits single-row INSERTs through a Runnel connection at a
 * fixed rate; every row carries its commit number as a marker ({@code c=00000042;}). Two
 * observers record times:
 * <ul>
 *   <li><b>API</b>: a thread loops on {@link ReplicatedDatabase#awaitReplicated} for the next TxId
 *       and records (replicatedTxId, time) whenever it advances;</li>
 *   <li><b>file</b>: a {@link WatchService} (inotify) on the replica's {@code ltx/0} directory
 *       records when each final LTX name appears (the rename that publishes it).</li>
 * </ul>
 * After the run every replica L0 file is decoded and its pages scanned for markers: the largest
 * marker in a file is the newest commit it holds (rows append to the rightmost leaf, which every
 * commit rewrites), so commit i is covered by the first file whose largest marker is ≥ i. Lag =
 * observation time − time the commit returned.
 */
public final class LagBench {
  record Obs(TxId txId, long nanos) {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    int runs = args.intValue("runs", 1, 3);
    int commits = args.intValue("commits", 300, 2000);
    int rate = args.intValue("rate", 100, 100);
    int idleSeconds = args.intValue("idle-seconds", 3, 10);
    String synchronous = args.string("synchronous", "NORMAL");
    Litestream ls = Litestream.find(args.string("litestream", ""));
    Harness.printHeader("Replication engine: lag (commit → replica)");
    System.out.printf(Locale.ROOT, "runs=%d commits/run=%d rate=%d commits/s synchronous=%s; default settings "
        + "(Runnel: monitor interval 1 s, commit listener; Litestream: 1 s sync interval); file replicas on the "
        + "same disk; idle CPU over %d s after the writes; Litestream 0.3.13 %s%n%n", runs, commits, rate,
        synchronous, idleSeconds, ls == null ? "skipped (no executable at --litestream '"
            + args.string("litestream", "") + "')" : ls.version() + " interleaved (bare writer beside it)");

    List<Double> allApi = new ArrayList<>();
    List<Double> allFile = new ArrayList<>();
    List<Double> allLs = new ArrayList<>();
    List<Double> idleRunnel = new ArrayList<>();
    List<Double> idleLs = new ArrayList<>();
    Harness.Table perRun = new Harness.Table("run", "system / observer", "p50 ms", "p95 ms", "p99 ms", "max ms",
        "commits", "replica files", "commits/file", "disk probe fsync p50 / max ms");
    Path probeDir = Harness.tempDir("lag-probe");
    for (int r = 1; r <= runs; r++) {
      for (int k = 0; k < 2; k++) {
        boolean runnel = (k == 0) == (r % 2 == 1);
        if (!runnel && ls == null) {
          continue;
        }
        // Every run starts with no dirty data of an earlier one (or scenario) left to write back.
        Harness.exec("sync");
        DiskProbe probe = DiskProbe.start(probeDir);
        double[][] lags;
        List<Double> disk;
        try {
          lags = runnel ? once(synchronous, commits, rate, idleSeconds)
              : LitestreamLag.once(ls, synchronous, commits, rate, idleSeconds);
        } finally {
          probe.close();
          disk = probe.samples();
        }
        String diskCol = fmt(percentile(disk, 50)) + " / " + fmt(Harness.max(disk));
        if (runnel) {
          List<Double> a = Harness.list(lags[0]);
          List<Double> f = Harness.list(lags[1]);
          allApi.addAll(a);
          allFile.addAll(f);
          int files = (int) lags[2][0];
          idleRunnel.add(lags[2][1]);
          perRun.row(r, "runnel: file visible", fmt(percentile(f, 50)), fmt(percentile(f, 95)),
              fmt(percentile(f, 99)), fmt(Harness.max(f)), f.size(), files, fmt((double) f.size() / files), diskCol);
          perRun.row(r, "runnel: API stored", fmt(percentile(a, 50)), fmt(percentile(a, 95)), fmt(percentile(a, 99)),
              fmt(Harness.max(a)), a.size(), files, fmt((double) a.size() / files), diskCol);
        } else {
          List<Double> f = Harness.list(lags[0]);
          allLs.addAll(f);
          int files = (int) lags[1][0];
          idleLs.add(lags[1][1]);
          perRun.row(r, "litestream: WAL segment visible", fmt(percentile(f, 50)), fmt(percentile(f, 95)),
              fmt(percentile(f, 99)), fmt(Harness.max(f)), f.size(), files, fmt((double) f.size() / files), diskCol);
        }
      }
    }
    perRun.print();
    Harness.deleteTree(probeDir);
    Harness.Table t = new Harness.Table("system / observer (all runs pooled)", "commits", "p50 ms", "p95 ms",
        "p99 ms", "max ms", "goal p50 ≤ 20 ms", "goal p99 ≤ 100 ms");
    Map<String, List<Double>> pooled = new java.util.LinkedHashMap<>();
    pooled.put("runnel: LTX file visible in replica dir", allFile);
    pooled.put("runnel: API says stored (awaitReplicated)", allApi);
    if (ls != null) {
      pooled.put("litestream 0.3.13: WAL segment visible in replica dir", allLs);
    }
    for (var e : pooled.entrySet()) {
      List<Double> xs = e.getValue();
      t.row(e.getKey(), xs.size(), fmt(percentile(xs, 50)), fmt(percentile(xs, 95)), fmt(percentile(xs, 99)),
          fmt(Harness.max(xs)), percentile(xs, 50) <= 20 ? "met" : "MISSED",
          percentile(xs, 99) <= 100 ? "met" : "MISSED");
    }
    t.print();
    Harness.Table idle = new Harness.Table("idle CPU after the writes, % of one core", "median (min–max) over runs",
        "what is counted");
    idle.row("runnel (1 replicated database)", Harness.mmm(idleRunnel), "the whole benchmark JVM (process CPU; resolution 10 ms of CPU per window)");
    if (ls != null) {
      idle.row("litestream 0.3.13 (1 database)", Harness.mmm(idleLs), "the litestream process (/proc/PID/stat; resolution 10 ms of CPU per window)");
    }
    idle.print();
    String lsNote = ls == null ? "" : "; Litestream 0.3.13: ";
    Harness.goal("3", "lag commit → LTX file visible in a file replica, p50 (writes through Runnel connections)",
        fmt(percentile(allFile, 50)) + " ms" + (ls == null ? "" : lsNote + fmt(percentile(allLs, 50)) + " ms"),
        "≤ 20 ms", percentile(allFile, 50) <= 20);
    Harness.goal("3", "lag commit → LTX file visible in a file replica, p99 (writes through Runnel connections)",
        fmt(percentile(allFile, 99)) + " ms" + (ls == null ? "" : lsNote + fmt(percentile(allLs, 99)) + " ms"),
        "≤ 100 ms", percentile(allFile, 99) <= 100);
  }

  /** Returns {apiLagMs[], fileLagMs[], {fileCount, idle CPU % of a core}}. */
  private static double[][] once(String synchronous, int commits, int rate, int idleSeconds) throws Exception {
    Path dir = Harness.tempDir("lag");
    Path db = dir.resolve("bench.db");
    Path replicaRoot = dir.resolve("replica");
    Path l0 = replicaRoot.resolve("ltx").resolve("0");
    Files.createDirectories(l0);
    try {
      Harness.createWalDb(db);
      FileReplicaClient replica = FileReplicaClient.create(replicaRoot);
      long[] commitDone = new long[commits + 1];
      Map<String, Long> seen = new ConcurrentHashMap<>();
      double idleCpu;
      ConcurrentLinkedQueue<Obs> apiObs = new ConcurrentLinkedQueue<>();
      try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
          ReplicatedDatabase rdb = ReplicatedDatabase.open(db, replica, ReplicationOptions.defaults(), rt);
          WatchService ws = l0.getFileSystem().newWatchService()) {
        rdb.sync();
        l0.register(ws, StandardWatchEventKinds.ENTRY_CREATE);
        Thread fileWatcher = Thread.ofPlatform().name("bench-watch").start(() -> watch(ws, l0, seen));
        Thread apiWatcher = Thread.ofPlatform().name("bench-await").start(() -> {
          try {
            while (!Thread.currentThread().isInterrupted()) {
              TxId cur = rdb.replicatedTxId();
              if (rdb.awaitReplicated(cur.next(), Duration.ofMillis(200))) {
                long now = System.nanoTime();
                apiObs.add(new Obs(rdb.replicatedTxId(), now));
              }
            }
          } catch (InterruptedException e) {
            // done
          }
        });
        try (Connection c = rdb.connect()) {
          writeAtRate(c, synchronous, rate, commitDone);
        }
        rdb.sync();
        Harness.sleepMs(200);
        apiWatcher.interrupt();
        apiWatcher.join();
        ws.close();
        fileWatcher.join();
        long cpu0 = Harness.processCpuNanos();
        long t0 = System.nanoTime();
        Harness.sleepMs(idleSeconds * 1000L);
        idleCpu = 100.0 * (Harness.processCpuNanos() - cpu0) / (System.nanoTime() - t0);
      }
      // Map commits to files: TxId-ordered L0 names → largest marker in each.
      TreeMap<LtxFileName, Integer> maxMarker = new TreeMap<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(l0)) {
        for (Path p : ds) {
          Optional<LtxFileName> n = LtxFileName.parse(p.getFileName().toString());
          if (n.isPresent()) {
            maxMarker.put(n.get(), maxMarkerIn(p));
          }
        }
      }
      Lags lags = lags(maxMarker, seen, new ArrayList<>(apiObs), commitDone, "");
      return new double[][] {lags.api(), lags.visible(), {lags.usedFiles(), idleCpu}};
    } finally {
      Harness.deleteTree(dir);
    }
  }

  /** Per-commit lags, ms: until the API reported it replicated, and until its file was seen. */
  record Lags(double[] api, double[] visible, long usedFiles) {}

  /**
   * Maps each commit i (1..{@code commitDone.length - 1}) to the first L0 file whose largest marker
   * is ≥ i, and measures from {@code commitDone[i]} to when that file was {@code seen} and to the
   * first API observation at or past its max TxId. Commits that were in the replica before
   * executeUpdate returned count as 0 ms (and are reported).
   *
   * @param maxMarker L0 files in TxId order → the largest commit marker in each
   * @param kind prefix for messages, e.g. "s3: " (empty for none)
   */
  static Lags lags(TreeMap<LtxFileName, Integer> maxMarker, Map<String, Long> seen, List<Obs> api,
      long[] commitDone, String kind) {
    int commits = commitDone.length - 1;
    double[] apiLag = new double[commits];
    double[] visLag = new double[commits];
    List<Map.Entry<LtxFileName, Integer>> files = new ArrayList<>(maxMarker.entrySet());
    int fi = 0;
    int clamped = 0;
    for (int i = 1; i <= commits; i++) {
      while (fi < files.size() && files.get(fi).getValue() < i) {
        fi++;
      }
      if (fi == files.size()) {
        throw new IllegalStateException(kind + "commit " + i + " not found in any replica L0 file");
      }
      LtxFileName name = files.get(fi).getKey();
      Long vis = seen.get(name.toString());
      if (vis == null) {
        throw new IllegalStateException(kind + "never saw " + name + " appear in the replica");
      }
      long stored = Long.MAX_VALUE;
      for (Obs o : api) {
        if (o.txId().compareTo(name.max()) >= 0 && o.nanos() < stored) {
          stored = o.nanos();
        }
      }
      if (stored == Long.MAX_VALUE) {
        throw new IllegalStateException(kind + "API never reported " + name.max());
      }
      if (vis < commitDone[i] || stored < commitDone[i]) {
        clamped++;
      }
      visLag[i - 1] = Math.max(0, Harness.ms(vis - commitDone[i]));
      apiLag[i - 1] = Math.max(0, Harness.ms(stored - commitDone[i]));
    }
    if (clamped > 0) {
      System.out.println("note: " + kind + clamped + " commits were in the replica before executeUpdate returned "
          + "(captured between the WAL write and the return); counted as 0 ms");
    }
    long used = files.stream().filter(e -> e.getValue() >= 1).count();
    return new Lags(apiLag, visLag, used);
  }

  /**
   * Commits {@code commitDone.length - 1} single-row INSERTs at a fixed rate, row i carrying the
   * marker {@code c=i;}, and records in {@code commitDone[i]} when commit i returned.
   */
  static void writeAtRate(Connection c, String synchronous, int rate, long[] commitDone) throws java.sql.SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA synchronous = " + synchronous);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      long period = 1_000_000_000L / rate;
      long start = System.nanoTime() + 50_000_000L;
      for (int i = 1; i < commitDone.length; i++) {
        long due = start + (i - 1) * period;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        ps.setString(1, String.format(Locale.ROOT, "c=%08d;", i) + "y".repeat(90));
        ps.executeUpdate();
        commitDone[i] = System.nanoTime();
      }
    }
  }

  private static void watch(WatchService ws, Path dir, Map<String, Long> seen) {
    try {
      while (true) {
        WatchKey k = ws.take();
        long now = System.nanoTime();
        for (WatchEvent<?> e : k.pollEvents()) {
          if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
              for (Path p : ds) {
                seen.putIfAbsent(p.getFileName().toString(), now);
              }
            }
            continue;
          }
          String name = e.context().toString();
          if (LtxFileName.parse(name).isPresent()) {
            seen.putIfAbsent(name, now);
          }
        }
        k.reset();
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // done
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final byte[] MARK = "c=".getBytes(StandardCharsets.US_ASCII);

  /** The largest {@code c=NNNNNNNN;} marker in any page of an LTX file, or 0. */
  static int maxMarkerIn(Path ltx) throws java.io.IOException {
    int best = 0;
    try (LtxDecoder d = new LtxDecoder(new BufferedInputStream(Files.newInputStream(ltx)), ltx.toString())) {
      byte[] page = new byte[d.header().pageSize()];
      while (d.nextPage(page) != 0) {
        best = Math.max(best, maxMarker(page, page.length));
      }
    }
    return best;
  }

  /** The largest {@code c=NNNNNNNN;} marker (the commit number the writer put in its row) in {@code buf[0, len)}, or 0. */
  static int maxMarker(byte[] buf, int len) {
    int best = 0;
    for (int i = 0; i + 11 <= len; i++) {
      if (buf[i] == MARK[0] && buf[i + 1] == MARK[1] && buf[i + 10] == ';') {
        int v = 0;
        boolean ok = true;
        for (int j = 2; j < 10; j++) {
          int ch = buf[i + j] - '0';
          if (ch < 0 || ch > 9) {
            ok = false;
            break;
          }
          v = v * 10 + ch;
        }
        if (ok && v > best) {
          best = v;
        }
      }
    }
    return best;
  }
}
