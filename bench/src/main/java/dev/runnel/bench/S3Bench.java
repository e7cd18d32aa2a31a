package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;
import static dev.runnel.bench.Harness.mmm;
import static dev.runnel.bench.Harness.percentile;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replica.s3.S3ReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.sqlite.SQLiteConfig;

/**
 * S3 (loopback S3Proxy in the same JVM) next to a file replica.
 * <ol>
 *   <li><b>Lag</b>: LagBench's method (marker rows at a fixed commit rate; the commit is mapped to
 *       the first L0 file whose largest marker covers it) with three replicas, runs interleaved:
 *       file, S3, and S3 with 50 ms added before every PUT (a distant bucket, slower than the
 *       commits: 20 PUTs/s against 50 commits/s).
 *       "Visible" = for the file replica, the inotify event of the final LTX name in
 *       {@code ltx/0}; for S3, the first time a 1 ms poller of the server's blob store lists the
 *       object (S3Proxy answers the PUT after storing it, so this is within ~1 ms of the PUT's
 *       completion). "API stored" = {@link ReplicatedDatabase#awaitReplicated} returned.</li>
 *   <li><b>Restore</b>: a text database (RestoreBench's {@code text} content) is replicated to a
 *       file replica (first sync + snapshot); the same LTX objects are then copied into the S3
 *       bucket. Timed, interleaved in rotating order, output fsynced: Runnel restore from S3,
 *       Runnel restore from the file replica, {@code cp} + fsync of the database. Warm cache only
 *       (the S3 objects are in the server's heap).</li>
 * </ol>
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.S3Bench [--quick] [--runs N] [--commits N] [--rate N] [--mb N]
 * </pre>
 */
public final class S3Bench {

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    // Full-mode sizes fit bench/run's 1.5-minute budget for this scenario.
    int runs = args.intValue("runs", 1, 1);
    int commits = args.intValue("commits", 250, 1000);
    int rate = args.intValue("rate", 50, 50);
    int mb = args.intValue("mb", 20, 50);
    int restoreRuns = args.intValue("restore-runs", 2, 3);
    Harness.printHeader("S3 (loopback S3Proxy): lag and restore");
    try (S3Server s3 = S3Server.start()) {
      System.out.printf(Locale.ROOT, "S3Proxy 3.0.0 (transient in-heap blob store) at %s, in this JVM%n%n",
          s3.endpoint());
      if (!args.flag("no-lag")) {
        lag(s3, runs, commits, rate);
      }
      if (!args.flag("no-restore")) {
        restore(s3, mb, restoreRuns);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ lag

  /**
   * Replicas of the lag runs. "s3 +50ms" adds 50 ms to every PUT ({@link DistantStore}): fewer
   * uploads per second than the writer commits, so each file must carry several commits and the
   * lag must stay about one upload instead of growing with a backlog.
   */
  private static final List<String> KINDS = List.of("file", "s3", "s3 +50ms");

  private static void lag(S3Server s3, int runs, int commits, int rate) throws Exception {
    System.out.printf(Locale.ROOT, "## Lag%n%nruns=%d per replica, interleaved (file, s3, s3 with 50 ms added to every PUT, ...); "
        + "commits/run=%d at %d commits/s; synchronous=NORMAL; default ReplicationOptions (monitor interval 1 s)%n%n",
        runs, commits, rate);
    Map<String, List<Double>> vis = new LinkedHashMap<>();
    Map<String, List<Double>> api = new LinkedHashMap<>();
    Map<String, int[]> files = new LinkedHashMap<>();
    Harness.Table perRun = new Harness.Table("run", "replica", "observer", "p50 ms", "p95 ms", "p99 ms", "max ms",
        "commits", "L0 files");
    for (int r = 1; r <= runs; r++) {
      for (int i = 0; i < KINDS.size(); i++) {
        String kind = KINDS.get(Harness.balancedOrder(KINDS.size(), r - 1)[i]);
        double[][] l = once(s3, kind, commits, rate);
        List<Double> v = Harness.list(l[1]);
        List<Double> a = Harness.list(l[0]);
        vis.computeIfAbsent(kind, k -> new ArrayList<>()).addAll(v);
        api.computeIfAbsent(kind, k -> new ArrayList<>()).addAll(a);
        files.computeIfAbsent(kind, k -> new int[1])[0] += (int) l[2][0];
        perRun.row(r, kind, "visible", fmt(percentile(v, 50)), fmt(percentile(v, 95)), fmt(percentile(v, 99)),
            fmt(Harness.max(v)), v.size(), (int) l[2][0]);
        perRun.row(r, kind, "API stored", fmt(percentile(a, 50)), fmt(percentile(a, 95)), fmt(percentile(a, 99)),
            fmt(Harness.max(a)), a.size(), (int) l[2][0]);
        System.out.printf(Locale.ROOT, "[lag] run %d %s: visible p50 %.1f ms p99 %.1f ms%n", r, kind,
            percentile(v, 50), percentile(v, 99));
      }
    }
    System.out.println();
    perRun.print();
    Harness.Table t = new Harness.Table("replica / observer (runs pooled)", "commits", "commits/L0 file", "p50 ms",
        "p95 ms", "p99 ms", "max ms");
    for (String kind : KINDS) {
      List<Double> v = vis.get(kind);
      List<Double> a = api.get(kind);
      String perFile = fmt((double) v.size() / files.get(kind)[0]);
      t.row(kind + " / object visible", v.size(), perFile, fmt(percentile(v, 50)), fmt(percentile(v, 95)),
          fmt(percentile(v, 99)), fmt(Harness.max(v)));
      t.row(kind + " / API stored", a.size(), perFile, fmt(percentile(a, 50)), fmt(percentile(a, 95)),
          fmt(percentile(a, 99)), fmt(Harness.max(a)));
    }
    List<Double> fv = vis.get("file");
    List<Double> sv = vis.get("s3");
    t.row("ratio s3 / file (visible)", "", "", fmt(percentile(sv, 50) / percentile(fv, 50)) + "×",
        fmt(percentile(sv, 95) / percentile(fv, 95)) + "×", fmt(percentile(sv, 99) / percentile(fv, 99)) + "×",
        fmt(Harness.max(sv) / Harness.max(fv)) + "×");
    t.print();
  }

  /** Write latency added by the "s3 +50ms" kind: a bucket in another region. */
  static final long SLOW_STORE_MS = 50;

  /** Returns {apiLagMs[], visibleLagMs[], {fileCount}}. */
  private static double[][] once(S3Server s3, String kind, int commits, int rate) throws Exception {
    Path dir = Harness.tempDir("s3lag");
    Path db = dir.resolve("bench.db");
    Map<String, Long> seen = new ConcurrentHashMap<>();
    ReplicaClient replica;
    Path l0 = null;
    String bucket = null;
    String prefix = null;
    if (kind.equals("file")) {
      Path root = dir.resolve("replica");
      l0 = root.resolve("ltx").resolve("0");
      Files.createDirectories(l0);
      replica = FileReplicaClient.create(root);
    } else {
      bucket = s3.newBucket();
      S3ReplicaClient c = s3.client(bucket, "db");
      prefix = c.levelPrefix(0);
      replica = kind.equals("s3") ? c : new DistantStore(c, SLOW_STORE_MS);
    }
    try {
      Harness.createWalDb(db);
      long[] commitDone = new long[commits + 1];
      ConcurrentLinkedQueue<LagBench.Obs> apiObs = new ConcurrentLinkedQueue<>();
      WatchService ws = null;
      Thread visWatcher;
      STOP.set(false);
      try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
          ReplicatedDatabase rdb = ReplicatedDatabase.open(db, replica, ReplicationOptions.defaults(), rt)) {
        rdb.sync();
        if (l0 != null) {
          ws = l0.getFileSystem().newWatchService();
          l0.register(ws, StandardWatchEventKinds.ENTRY_CREATE);
          WatchService w = ws;
          visWatcher = Thread.ofPlatform().name("bench-watch").start(() -> watch(w, seen));
        } else {
          String b = bucket;
          String p = prefix;
          visWatcher = Thread.ofPlatform().name("bench-s3-poll").start(() -> poll(s3, b, p, seen));
        }
        Thread apiWatcher = Thread.ofPlatform().name("bench-await").start(() -> {
          try {
            while (!Thread.currentThread().isInterrupted()) {
              TxId cur = rdb.replicatedTxId();
              if (rdb.awaitReplicated(cur.next(), Duration.ofMillis(200))) {
                apiObs.add(new LagBench.Obs(rdb.replicatedTxId(), System.nanoTime()));
              }
            }
          } catch (InterruptedException e) {
            // done
          }
        });
        try (Connection c = rdb.connect()) {
          LagBench.writeAtRate(c, "NORMAL", rate, commitDone);
        }
        rdb.sync();
        Harness.sleepMs(200);
        apiWatcher.interrupt();
        apiWatcher.join();
        STOP.set(true);
        if (ws != null) {
          ws.close();
        }
        visWatcher.join();
        // Map commits to files: TxId-ordered L0 names → largest marker in each.
        TreeMap<LtxFileName, Integer> maxMarker = new TreeMap<>();
        for (LtxFileInfo f : replica.list(0)) {
          try (InputStream in = replica.open(f)) {
            maxMarker.put(f.name(), maxMarkerIn(in, f.name().toString()));
          }
        }
        LagBench.Lags lags = LagBench.lags(maxMarker, seen, new ArrayList<>(apiObs), commitDone, kind + ": ");
        return new double[][] {lags.api(), lags.visible(), {lags.usedFiles()}};
      }
    } finally {
      replica.close();
      if (bucket != null) {
        s3.blobStore().deleteContainer(bucket);
      }
      Harness.deleteTree(dir);
    }
  }

  private static final java.util.concurrent.atomic.AtomicBoolean STOP = new java.util.concurrent.atomic.AtomicBoolean();

  private static void watch(WatchService ws, Map<String, Long> seen) {
    try {
      while (true) {
        WatchKey k = ws.take();
        long now = System.nanoTime();
        for (WatchEvent<?> e : k.pollEvents()) {
          if (e.kind() != StandardWatchEventKinds.OVERFLOW) {
            String name = e.context().toString();
            if (LtxFileName.parse(name).isPresent()) {
              seen.putIfAbsent(name, now);
            }
          } else {
            System.out.println("warning: inotify overflow");
          }
        }
        k.reset();
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // done
    }
  }

  /**
   * Lists the bucket's L0 prefix in the in-process blob store every ~1 ms, following the listing's
   * pages (a page holds at most 1,000 keys; a full run writes more L0 files than that).
   */
  private static void poll(S3Server s3, String bucket, String prefix, Map<String, Long> seen) {
    while (!stopped()) {
      long now = System.nanoTime();
      String marker = null;
      do {
        ListContainerOptions opts = ListContainerOptions.Builder.prefix(prefix).recursive();
        if (marker != null) {
          opts = opts.afterMarker(marker);
        }
        var page = s3.blobStore().list(bucket, opts);
        for (StorageMetadata m : page) {
          String name = m.getName();
          name = name.substring(name.lastIndexOf('/') + 1);
          if (LtxFileName.parse(name).isPresent()) {
            seen.putIfAbsent(name, now);
          }
        }
        marker = page.getNextMarker();
      } while (marker != null);
      LockSupport.parkNanos(1_000_000L);
    }
  }

  private static boolean stopped() {
    return STOP.get();
  }

  static int maxMarkerIn(InputStream raw, String name) throws java.io.IOException {
    int best = 0;
    try (LtxDecoder d = new LtxDecoder(new BufferedInputStream(raw), name)) {
      byte[] page = new byte[d.header().pageSize()];
      while (d.nextPage(page) != 0) {
        best = Math.max(best, LagBench.maxMarker(page, page.length));
      }
    }
    return best;
  }

  // -------------------------------------------------------------------------------------- restore

  interface Op {
    void run() throws Exception;
  }

  private static void restore(S3Server s3, int mb, int runs) throws Exception {
    System.out.printf(Locale.ROOT, "## Restore%n%ndb target %d MB (text rows), runs=%d, interleaved in rotating "
        + "order, every method ends fsynced (file + directory); warm cache only%n%n", mb, runs);
    Path dir = Harness.tempDir("s3restore");
    String bucket = s3.newBucket();
    try (S3ReplicaClient s3r = s3.client(bucket, "db")) {
      Path db = dir.resolve("src.db");
      long t0 = System.nanoTime();
      RestoreBench.build(db, "text", mb);
      double buildS = (System.nanoTime() - t0) / 1e9;
      FileReplicaClient file = FileReplicaClient.create(dir.resolve("replica"));
      try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
          ReplicatedDatabase rdb = ReplicatedDatabase.open(db, file, ReplicationOptions.defaults(), rt)) {
        rdb.sync();
        rdb.snapshot();
      }
      try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
      s3r.init();
      long copied = 0;
      t0 = System.nanoTime();
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        for (LtxFileInfo f : file.list(level)) {
          try (InputStream in = file.open(f)) {
            s3r.write(level, f.minTxId(), f.maxTxId(), in);
          }
          copied += f.size();
        }
      }
      double uploadS = (System.nanoTime() - t0) / 1e9;
      long dbBytes = Files.size(db);
      System.out.printf(Locale.ROOT, "built %.1f MB in %.1f s; replica %.1f MB copied to S3 in %.1f s (%.0f MB/s "
          + "upload)%n", dbBytes / 1e6, buildS, copied / 1e6, uploadS, copied / 1e6 / uploadS);
      Path out = dir.resolve("out").resolve("restored.db");
      Files.createDirectories(out.getParent());
      Map<String, Op> ops = new LinkedHashMap<>();
      ops.put("runnel from S3", () -> Restorer.restore(s3r, RestoreTarget.latest(), out, Restorer.Options.defaults()));
      ops.put("runnel from file", () -> Restorer.restore(file, RestoreTarget.latest(), out,
          Restorer.Options.defaults()));
      ops.put("cp + fsync", () -> {
        Harness.exec("cp", db.toString(), out.toString());
        Harness.fsync(out);
        Harness.fsyncDir(out.getParent());
      });
      for (Op op : ops.values()) { // untimed warm-up
        clean(out);
        op.run();
        check(db, out);
      }
      Map<String, List<Double>> times = new LinkedHashMap<>();
      List<String> names = new ArrayList<>(ops.keySet());
      int rounds = Harness.balancedRuns(runs, names.size());
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get(Harness.balancedOrder(names.size(), r)[k]);
          clean(out);
          long s = System.nanoTime();
          ops.get(name).run();
          double secs = (System.nanoTime() - s) / 1e9;
          check(db, out);
          times.computeIfAbsent(name, x -> new ArrayList<>()).add(secs);
          System.out.printf(Locale.ROOT, "[restore] run %d %-16s %.3f s%n", r + 1, name, secs);
        }
      }
      System.out.println();
      double cp = median(times.get("cp + fsync"));
      Harness.Table t = new Harness.Table("method", "seconds median (min–max)", "MB/s (db MB / median s)",
          "÷ cp + fsync", "÷ runnel from file");
      double fileS = median(times.get("runnel from file"));
      for (String n : names) {
        double m = median(times.get(n));
        t.row(n, mmm(times.get(n)), fmt(dbBytes / 1e6 / m), fmt(m / cp) + "×", fmt(m / fileS) + "×");
      }
      System.out.printf(Locale.ROOT, "db %.1f MB, replica (snapshot) %.1f MB%n%n", dbBytes / 1e6,
          file.list(9).stream().mapToLong(LtxFileInfo::size).sum() / 1e6);
      t.print();
    } finally {
      s3.blobStore().deleteContainer(bucket);
      Harness.deleteTree(dir);
    }
  }

  private static void clean(Path out) throws Exception {
    for (String suffix : new String[] {"", "-wal", "-shm", ".tmp"}) {
      Files.deleteIfExists(out.resolveSibling(out.getFileName() + suffix));
    }
    Harness.exec("sync");
  }

  private static void check(Path a, Path b) throws Exception {
    if (Files.mismatch(a, b) != -1) {
      throw new IllegalStateException(b + " differs from " + a);
    }
  }
}
