package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;
import static dev.runnel.bench.Harness.mmm;

import dev.runnel.ltx.LtxMaterializer;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.sqlite.SQLiteConfig;

/**
 * Restore of a large database from a file replica versus copying the same database with
 * {@code cp} + fsync, decompressing an LZ4 copy with {@code lz4 -d} + fsync, and {@code litestream
 * restore -o} (Litestream 0.3.13, {@code --litestream PATH}) from Litestream's own file replica of
 * the same starting bytes (its snapshot, written by {@code litestream replicate} which is then
 * stopped), followed by fsync. Two contents:
 * {@code text} (compressible rows of words) and {@code random} (incompressible blobs). The
 * replica holds the full-page L0 of the first sync and a level-9 snapshot from
 * {@link ReplicatedDatabase#snapshot()}; the restore plan uses the snapshot. Methods are
 * interleaved (rotating order) and every method ends with the output fsynced (file and
 * directory). Warm = source files in the page cache; cold = {@code sync; echo 3 >
 * /proc/sys/vm/drop_caches} before each timed operation.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.RestoreBench [--quick] [--mb N] [--runs N (default 8, quick 4)] [--no-cold]
 *     [--litestream PATH]
 * </pre>
 */
public final class RestoreBench {
  private static final String[] WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
      + "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris "
      + "nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum eu fugiat "
      + "nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id "
      + "est laborum customer order invoice shipped pending refunded account balance").split(" ");

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    int mb = args.intValue("mb", 20, 200);
    int runs = args.intValue("runs", 4, 8); // whole rounds of the balanced order of 4 operations
    Litestream ls = Litestream.find(args.string("litestream", ""));
    boolean cold = !args.flag("no-cold") && !args.quick() || args.flag("cold");
    List<String> contents = List.of(args.string("content", "text,random").split(","));
    Harness.printHeader("Replication engine: restore");
    boolean canDrop = Harness.dropCaches();
    System.out.printf(Locale.ROOT, "db size target=%d MB runs=%d; drop_caches %s; cold runs %s; Litestream %s%n%n",
        mb, runs, canDrop ? "works" : "NOT permitted", cold && canDrop ? "on" : "off",
        ls == null ? "skipped (no executable at --litestream '" + args.string("litestream", "") + "')" : ls.version());
    cold = cold && canDrop;

    Harness.Table sum = new Harness.Table("content", "cache", "db MB", "replica MB (snapshot)", "lz4 MB",
        "runnel restore s", "cp+fsync s", "lz4 -d+fsync s", "litestream restore+fsync s", "runnel / cp (medians)",
        "runnel / lz4", "litestream / cp", "goal runnel ≤ 1.3× cp");
    List<Harness.Table> profiles = new ArrayList<>();
    for (String content : contents) {
      Path dir = Harness.tempDir("restore-" + content);
      try {
        Path db = dir.resolve("src.db");
        long t0 = System.nanoTime();
        build(db, content, mb);
        double buildS = (System.nanoTime() - t0) / 1e9;
        // Litestream gets its own copy of the same starting bytes: both tools write their own
        // bookkeeping rows (_litestream_seq) into the database they replicate.
        Path lsDb = dir.resolve("ls-src.db");
        Path lsReplica = dir.resolve("ls-replica");
        double lsSnapshotS = Double.NaN;
        if (ls != null) {
          Files.copy(db, lsDb);
          t0 = System.nanoTime();
          try (Litestream.Replicator rep = ls.replicate(lsDb, lsReplica, dir.resolve("litestream.log"))) {
            rep.awaitSnapshot(java.time.Duration.ofMinutes(5));
          }
          lsSnapshotS = (System.nanoTime() - t0) / 1e9;
          try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + lsDb);
              Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
          }
        }
        FileReplicaClient replica = FileReplicaClient.create(dir.resolve("replica"));
        t0 = System.nanoTime();
        try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
            ReplicatedDatabase rdb = ReplicatedDatabase.open(db, replica, ReplicationOptions.defaults(), rt)) {
          rdb.sync();
          rdb.snapshot();
        }
        double replicateS = (System.nanoTime() - t0) / 1e9;
        // cp's source must be the same state: checkpoint what the replication left in the WAL.
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db);
            Statement st = c.createStatement()) {
          st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Path lz4 = dir.resolve("src.db.lz4");
        Harness.exec("lz4", "-1", "-f", "-q", db.toString(), lz4.toString());
        RestorePlan plan = RestorePlanner.plan(replica, RestoreTarget.latest());
        long dbBytes = Files.size(db);
        System.out.printf(Locale.ROOT, "[%s] built %.1f MB in %.1f s; runnel first sync + snapshot took %.1f s, "
            + "litestream replicate until its snapshot was written and it stopped %.1f s (replica %s MB); runnel "
            + "replica: %s; plan: %s%n", content, dbBytes / 1e6, buildS, replicateS, lsSnapshotS,
            ls == null ? "–" : fmt(Harness.treeSize(lsReplica) / 1e6), listing(replica),
            plan.files().stream().map(f -> "L" + f.level() + "/" + f.name() + " " + fmt(f.size() / 1e6) + " MB")
                .toList());

        Path out = dir.resolve("out").resolve("restored.db");
        Files.createDirectories(out.getParent());
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("runnel", () -> Restorer.restore(replica, RestoreTarget.latest(), out, Restorer.Options.defaults()));
        ops.put("cp", () -> {
          Harness.exec("cp", db.toString(), out.toString());
          Harness.fsync(out);
          Harness.fsyncDir(out.getParent());
        });
        ops.put("lz4", () -> {
          Harness.exec("lz4", "-d", "-f", "-q", lz4.toString(), out.toString());
          Harness.fsync(out);
          Harness.fsyncDir(out.getParent());
        });
        if (ls != null) {
          ops.put("litestream", () -> {
            ls.restore(lsReplica, out);
            Harness.fsync(out);
            Harness.fsyncDir(out.getParent());
          });
        }
        // Untimed warm-up of each (JIT for the in-process restore; page cache for the sources), and
        // a check that each one produced the database.
        for (var op : ops.entrySet()) {
          clean(out);
          op.getValue().run();
          check(op.getKey(), op.getKey().equals("litestream") ? lsDb : db, out);
        }
        for (boolean c : cold ? new boolean[] {false, true} : new boolean[] {false}) {
          Map<String, List<Double>> times = new LinkedHashMap<>();
          List<String> names = new ArrayList<>(ops.keySet());
          int rounds = Harness.balancedRuns(runs, names.size()); // whole designs: 8 with 4 operations
          for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
              String name = names.get(Harness.balancedOrder(names.size(), r)[k]);
              clean(out);
              if (c) {
                Harness.dropCaches();
              }
              long s = System.nanoTime();
              ops.get(name).run();
              double secs = (System.nanoTime() - s) / 1e9;
              times.computeIfAbsent(name, x -> new ArrayList<>()).add(secs);
              System.out.printf(Locale.ROOT, "[%s %s] run %d %-10s %.3f s%n", content, c ? "cold" : "warm", r + 1,
                  name, secs);
              if (r == runs - 1) {
                check(name, name.equals("litestream") ? lsDb : db, out);
              }
            }
          }
          double rn = median(times.get("runnel"));
          double cp = median(times.get("cp"));
          double lz = median(times.get("lz4"));
          double lt = ls == null ? Double.NaN : median(times.get("litestream"));
          String cache = c ? "cold" : "warm";
          sum.row(content, cache, fmt(dbBytes / 1e6), fmt(plan.totalSize() / 1e6),
              fmt(Files.size(lz4) / 1e6), mmm(times.get("runnel")), mmm(times.get("cp")), mmm(times.get("lz4")),
              ls == null ? "skipped" : mmm(times.get("litestream")), fmt(rn / cp) + "×", fmt(rn / lz) + "×",
              ls == null ? "–" : fmt(lt / cp) + "×", rn / cp <= 1.3 ? "met" : "MISSED");
          Harness.goal("3", String.format(Locale.ROOT, "restore %.0f MB %s database from a file replica (%s cache) "
              + "vs cp + fsync", dbBytes / 1e6, content, cache), fmt(rn / cp) + "× (" + fmt(rn) + " vs " + fmt(cp)
              + " s" + (ls == null ? "" : "; Litestream 0.3.13: " + fmt(lt / cp) + "×") + ")", "≤ 1.3×",
              rn / cp <= 1.3);
        }
        profiles.add(profile(content, replica, dir, runs));
      } finally {
        Harness.deleteTree(dir);
      }
    }
    System.out.println();
    sum.print();
    System.out.println("Where a Runnel restore spends its time (warm cache; the parts of what Restorer runs, timed one "
        + "by one; median (min–max) seconds over " + runs + " runs):");
    System.out.println();
    for (Harness.Table p : profiles) {
      p.print();
    }
  }

  interface Op {
    void run() throws Exception;
  }

  private static void clean(Path out) throws Exception {
    for (String suffix : new String[] {"", "-wal", "-shm", ".tmp"}) {
      Files.deleteIfExists(out.resolveSibling(out.getFileName() + suffix));
    }
    Harness.exec("sync");
  }

  /**
   * Runnel, cp and lz4 must reproduce the source byte for byte. Litestream's restore is checked
   * logically (same rows, integrity ok): its restore rewrites the header's change counter and its
   * own bookkeeping pages differ from Runnel's.
   */
  private static void check(String op, Path source, Path out) throws Exception {
    if (!op.equals("litestream")) {
      if (Files.mismatch(source, out) != -1) {
        throw new IllegalStateException(op + ": " + out + " differs from " + source);
      }
      return;
    }
    String want = summary(source);
    String got = summary(out);
    if (!want.equals(got)) {
      throw new IllegalStateException(op + ": restored " + got + ", source " + want);
    }
  }

  /** Row count, total value length and quick_check of table t. */
  private static String summary(Path db) throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), sum(length(v)), (SELECT quick_check FROM pragma_quick_check) "
            + "FROM t")) {
      rs.next();
      return rs.getLong(1) + " rows, " + rs.getLong(2) + " bytes, quick_check " + rs.getString(3);
    }
  }

  private static String listing(FileReplicaClient replica) throws Exception {
    List<String> out = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      for (LtxFileInfo f : replica.list(level)) {
        out.add("L" + level + "/" + f.name() + " " + fmt(f.size() / 1e6) + " MB");
      }
    }
    return out.toString();
  }

  /**
   * Times the parts of a restore separately, the way Restorer runs them for a file replica (read in
   * place, page ranges decoded on {@link LtxMaterializer#defaultThreads()} threads): decode alone
   * (into /dev/null), decode on one thread for comparison, decode + write without flushing, the
   * fsync that then remains, and the real restore (write-behind + fsync) next to cp and its fsync.
   */
  private static Harness.Table profile(String content, FileReplicaClient replica, Path dir, int runs)
      throws Exception {
    Map<String, List<Double>> t = new LinkedHashMap<>();
    Path work = dir.resolve("profile");
    Files.createDirectories(work);
    Path out = work.resolve("out.db");
    Path src = dir.resolve("src.db");
    int threads = LtxMaterializer.defaultThreads();
    for (int r = 0; r < runs; r++) {
      Files.deleteIfExists(out);
      Harness.exec("sync");
      long s = System.nanoTime();
      RestorePlan plan = RestorePlanner.plan(replica, RestoreTarget.latest());
      add(t, "1 plan (list replica)", s);
      List<LtxMaterializer.FileInput> inputs = new ArrayList<>();
      for (LtxFileInfo f : plan.files()) {
        inputs.add(new LtxMaterializer.FileInput(replica.filePath(f.level(), f.minTxId(), f.maxTxId()), f.name().toString()));
      }
      for (int n : new int[] {1, threads}) {
        s = System.nanoTime();
        try (FileChannel nul = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
          LtxMaterializer.materializeFiles(inputs, nul, n);
        }
        add(t, "2 decode only, " + n + " thread" + (n == 1 ? "" : "s") + " (LZ4 + CRC-64 + checks, to /dev/null)", s);
      }
      s = System.nanoTime();
      try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        LtxMaterializer.materializeFiles(inputs, ch, threads);
        add(t, "3 decode + write, " + threads + " threads (no flush)", s);
        s = System.nanoTime();
        ch.force(true);
        add(t, "4 fsync after 3", s);
      }
      Files.delete(out);
      Harness.exec("sync");
      s = System.nanoTime();
      Restorer.restore(replica, plan, out, Restorer.Options.defaults());
      add(t, "5 Restorer.restore (3 with write-behind, then fsync, rename, directory fsync)", s);
      Files.delete(out);
      Harness.exec("sync");
      s = System.nanoTime();
      Harness.exec("cp", src.toString(), out.toString());
      add(t, "cp alone (no fsync)", s);
      s = System.nanoTime();
      Harness.fsync(out);
      add(t, "fsync after cp", s);
    }
    Harness.Table p = new Harness.Table("step (" + content + ")", "seconds median (min–max)");
    t.forEach((k, v) -> p.row(k, mmm(v)));
    Harness.deleteTree(work);
    return p;
  }

  private static void add(Map<String, List<Double>> t, String step, long start) {
    t.computeIfAbsent(step, x -> new ArrayList<>()).add((System.nanoTime() - start) / 1e9);
  }

  /** Fills a database up to {@code mb} MB with text rows or random blobs, checkpointed. */
  static void build(Path db, String content, int mb) throws Exception {
    SplittableRandom rnd = new SplittableRandom(42);
    long target = (long) mb * 1_000_000;
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = OFF");
        st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v " + (content.equals("text") ? "TEXT" : "BLOB") + ")");
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
        long rows = 0;
        while (true) {
          for (int i = 0; i < 10_000; i++) {
            if (content.equals("text")) {
              StringBuilder sb = new StringBuilder(1100);
              while (sb.length() < 1000) {
                sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(rnd.nextInt(10) == 0 ? ". " : " ");
              }
              ps.setString(1, sb.toString());
            } else {
              byte[] b = new byte[1000];
              rnd.nextBytes(b);
              ps.setBytes(1, b);
            }
            ps.executeUpdate();
          }
          rows += 10_000;
          c.commit();
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
              "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")) {
            rs.next();
            if (rs.getLong(1) >= target) {
              break;
            }
          }
        }
      }
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
  }
}
