package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;
import static dev.runnel.bench.Harness.mmm;

import dev.runnel.server.RunnelServer;
import dev.runnel.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 8's server benchmark: requests/s of a filtered GET and a single-row POST on a hot tenant
 * through real HTTP on loopback (1, 4 and 16 keep-alive connections of {@link LoopbackHttp}, one
 * blocking worker thread each), each next to the
 * same query or insert through bare sqlite-jdbc in-process (the limit), and the bulk CSV import
 * rates (50,000 rows; 1,000,000 rows in full mode, with the live heap sampled to show it stays
 * flat; the import client is the JDK {@link HttpClient}, streaming). Server and client share this
 * JVM and the machine's cores.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.runnel.bench.ServerBench [--quick] [--runs N]
 * </pre>
 */
final class ServerBench {
  private static final String SCHEMA = "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      + "email TEXT NOT NULL UNIQUE, city TEXT);";
  private static final int SEED_ROWS = 10_000;
  private static final int[] CONNECTIONS = {1, 4, 16};
  private static final AtomicLong UNIQUE = new AtomicLong();

  private ServerBench() {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    boolean quick = args.quick();
    int runs = args.intValue("runs", 3, 3);
    double serverSeconds = args.doubleValue("seconds", 0.4, 1.0);
    double jdbcSeconds = serverSeconds * 0.4;
    Harness.printHeader("ServerBench: REST API requests/s and CSV import (issue 8)" + (quick ? " — quick" : ""));
    System.out.printf("runs: %d per cell, %.1f s each through the server, %.2f s each through JDBC; hot tenant with "
        + "%,d rows; file replica on local disk; one keep-alive socket per connection, one blocking worker thread each; "
        + "POST returns after the local commit (Prefer: durable not used)%n%n",
        runs, serverSeconds, jdbcSeconds, SEED_ROWS);
    Path dir = Harness.tempDir("server");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    try (RunnelServer server = RunnelServer.start(ServerConfig.defaults().withPort(0)
        .withDataDir(dir.resolve("data")).withReplicaBase("file://" + dir.resolve("replica"))
        .withTenantSchema(SCHEMA).withShutdownGrace(Duration.ofSeconds(5)))) {
      Path bare = dir.resolve("bare.db");
      seedBare(bare);
      check(importCsv(client, server, "bench", SEED_ROWS), SEED_ROWS);
      requests(server, bare, runs, serverSeconds, jdbcSeconds);
      imports(client, server, runs, quick);
    } finally {
      Harness.deleteTree(dir);
    }
    System.out.println("loadavg at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  // ------------------------------------------------------------------------------- requests

  private interface Op {
    /** One operation by worker {@code worker}; false on a wrong answer. */
    boolean run(int worker) throws Exception;
  }

  private static void requests(RunnelServer server, Path bare, int runs, double serverSeconds,
      double jdbcSeconds) throws Exception {
    String path = "/t/bench/contacts";
    String host = server.address().getHostString();
    // One keep-alive connection per worker, opened on first use, closed after each measurement.
    List<LoopbackHttp> open = java.util.Collections.synchronizedList(new ArrayList<>());
    ThreadLocal<LoopbackHttp> conn = ThreadLocal.withInitial(() -> {
      try {
        LoopbackHttp h = new LoopbackHttp(host, server.port());
        open.add(h);
        return h;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Op get = w -> {
      int id = 1 + ThreadLocalRandom.current().nextInt(SEED_ROWS);
      LoopbackHttp.Response r = conn.get().send("GET", path + "?email=eq."
          + URLEncoder.encode(email(id), StandardCharsets.UTF_8) + "&select=id,name", null, null);
      String want = "[{\"id\":" + id + ",\"name\":\"Contact " + id + "\"}]";
      if (r.status() != 200 || !r.body().equals(want)) {
        throw new IllegalStateException("GET: expected 200 " + want + ", got " + r.status() + " " + r.body());
      }
      return true;
    };
    Op post = w -> {
      long t0 = System.nanoTime();
      LoopbackHttp.Response r = conn.get().send("POST", path, "application/json", ("{\"name\":\"Posted\",\"email\":\"p"
          + UNIQUE.incrementAndGet() + "@example.com\",\"city\":\"Oslo\"}").getBytes(StandardCharsets.UTF_8));
      if (r.status() != 201) {
        throw new IllegalStateException("POST: expected 201, got " + r.status() + " " + r.body() + " after "
            + (System.nanoTime() - t0) / 1_000_000 + " ms");
      }
      return true;
    };
    Harness.Table t = new Harness.Table("operation", "connections", "server req/s", "bare JDBC ops/s",
        "server / JDBC");
    for (String name : List.of("GET ?email=eq.X&select=id,name", "POST one row")) {
      boolean isGet = name.startsWith("GET");
      // Warm-up: JIT, connection pools, page cache.
      measure(isGet ? get : post, 4, Math.max(0.5, serverSeconds));
      closeAll(open);
      for (int c : CONNECTIONS) {
        List<Double> s = new ArrayList<>();
        List<Double> j = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        try (JdbcOps jdbc = new JdbcOps(bare, c)) {
          measure(isGet ? jdbc::get : jdbc::insert, c, 0.1);
          for (int i = 0; i < runs; i++) {
            double sv = measure(isGet ? get : post, c, serverSeconds);
            closeAll(open);
            double jv = measure(isGet ? jdbc::get : jdbc::insert, c, jdbcSeconds);
            s.add(sv);
            j.add(jv);
            ratio.add(sv / jv);
          }
        }
        t.row(name, c, mmm(s), mmm(j), fmt(median(ratio)) + "× (" + fmt(Harness.min(ratio)) + "–"
            + fmt(Harness.max(ratio)) + ")");
      }
    }
    t.print();
  }

  private static void closeAll(List<LoopbackHttp> open) throws IOException {
    synchronized (open) {
      for (LoopbackHttp h : open) {
        h.close();
      }
      open.clear();
    }
  }

  /** Runs {@code op} on {@code threads} workers for {@code seconds}; returns operations per second. */
  private static double measure(Op op, int threads, double seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long t0 = System.nanoTime();
      List<Future<Long>> fs = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int worker = w;
        fs.add(pool.submit(() -> {
          long n = 0;
          while (System.nanoTime() < end) {
            if (!op.run(worker)) {
              throw new IllegalStateException("wrong answer from the operation under test");
            }
            n++;
          }
          return n;
        }));
      }
      long total = 0;
      for (Future<Long> f : fs) {
        total += f.get();
      }
      return total / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The same statements on a plain sqlite-jdbc database (WAL, same pragmas as a tenant), one connection per worker. */
  private static final class JdbcOps implements AutoCloseable {
    private final List<Connection> connections = new ArrayList<>();
    private final List<PreparedStatement> selects = new ArrayList<>();
    private final List<PreparedStatement> inserts = new ArrayList<>();

    JdbcOps(Path db, int n) throws SQLException {
      for (int i = 0; i < n; i++) {
        Connection c = open(db);
        connections.add(c);
        selects.add(c.prepareStatement("SELECT id, name FROM contacts WHERE email = ?"));
        inserts.add(c.prepareStatement("INSERT INTO contacts (name, email, city) VALUES (?, ?, ?)"));
      }
    }

    boolean get(int worker) throws SQLException {
      int id = 1 + ThreadLocalRandom.current().nextInt(SEED_ROWS);
      PreparedStatement ps = selects.get(worker);
      ps.setString(1, email(id));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == id && rs.getString(2).equals("Contact " + id);
      }
    }

    boolean insert(int worker) throws SQLException {
      PreparedStatement ps = inserts.get(worker);
      ps.setString(1, "Posted");
      ps.setString(2, "p" + UNIQUE.incrementAndGet() + "@example.com");
      ps.setString(3, "Oslo");
      return ps.executeUpdate() == 1;
    }

    @Override
    public void close() throws SQLException {
      for (Connection c : connections) {
        c.close();
      }
    }
  }

  private static Connection open(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA busy_timeout = 5000");
      st.execute("PRAGMA foreign_keys = ON");
    }
    return c;
  }

  private static void seedBare(Path db) throws SQLException {
    try (Connection c = open(db); Statement st = c.createStatement()) {
      st.executeUpdate(SCHEMA);
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO contacts VALUES (?, ?, ?, ?)")) {
        for (int id = 1; id <= SEED_ROWS; id++) {
          ps.setInt(1, id);
          ps.setString(2, "Contact " + id);
          ps.setString(3, email(id));
          ps.setString(4, "Oslo");
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    }
  }

  private static String email(int id) {
    return "c" + id + "@example.com";
  }

  // ------------------------------------------------------------------------------- imports

  private static void imports(HttpClient client, RunnelServer server, int runs, boolean quick) throws Exception {
    Harness.Table t = new Harness.Table("CSV import (end to end, replica synced)", "time ms", "rows/s",
        "live heap before → max during, MiB");
    List<Double> ms50k = timedImports(client, server, "k50", 50_000, runs);
    Heap heap50k = heapDuringImport(client, server, "k50heap", 50_000, 50);
    t.row("50,000 rows", mmm(ms50k), fmt(50_000 / (median(ms50k) / 1000)), heap50k);
    Heap heap1m = null;
    List<Double> ms1m = null;
    if (!quick) {
      ms1m = timedImports(client, server, "m1", 1_000_000, runs);
      heap1m = heapDuringImport(client, server, "m1heap", 1_000_000, 500);
      t.row("1,000,000 rows", mmm(ms1m), fmt(1_000_000 / (median(ms1m) / 1000)), heap1m);
    }
    t.print();
    System.out.println("Live heap: System.gc() then heap used, sampled every 50 ms (50,000 rows) or 500 ms "
        + "(1,000,000 rows) in a separate, untimed import; max heap " + (Runtime.getRuntime().maxMemory() >> 20)
        + " MiB. The CSV is generated while it is sent, never held whole.");
    System.out.println();
    Harness.goal("8", "CSV import of 50,000 rows end to end", mmm(ms50k) + " ms", "< 1 s", median(ms50k) < 1000);
    if (heap1m != null) {
      long growth = heap1m.growthMiB();
      Harness.goal("8", "CSV import of 1,000,000 rows: live heap growth during the import",
          growth + " MiB (50,000 rows: " + heap50k.growthMiB() + " MiB; 1,000,000 rows in " + mmm(ms1m) + " ms)",
          "memory flat (≤ 32 MiB, independent of the row count)", growth <= 32);
    } else {
      System.out.println("(1,000,000-row import: full mode only)");
    }
  }

  private static List<Double> timedImports(HttpClient client, RunnelServer server, String prefix, int rows, int runs)
      throws Exception {
    check(importCsv(client, server, prefix + "-warm", Math.min(rows, 50_000)), Math.min(rows, 50_000));
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      check(importCsv(client, server, prefix + "-" + i, rows), rows);
      ms.add(Harness.ms(System.nanoTime() - t0));
    }
    return ms;
  }

  private record Heap(long beforeMiB, long maxMiB) {
    long growthMiB() {
      return Math.max(0, maxMiB - beforeMiB);
    }

    @Override
    public String toString() {
      return beforeMiB + " → " + maxMiB;
    }
  }

  private static Heap heapDuringImport(HttpClient client, RunnelServer server, String tenant, int rows, long everyMs)
      throws Exception {
    var mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = mem.getHeapMemoryUsage().getUsed();
    AtomicLong max = new AtomicLong(before);
    Thread sampler = Thread.ofPlatform().daemon().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        System.gc();
        max.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(everyMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    try {
      check(importCsv(client, server, tenant, rows), rows);
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    return new Heap(before >> 20, max.get() >> 20);
  }

  private static HttpResponse<String> importCsv(HttpClient client, RunnelServer server, String tenant, int rows)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/t/" + tenant + "/contacts/import"))
        .header("Content-Type", "text/csv").timeout(Duration.ofMinutes(5))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new CsvRows(rows))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void check(HttpResponse<String> r, int rows) {
    if (r.statusCode() != 200 || !r.body().contains("\"rows\":" + rows + ",")) {
      throw new IllegalStateException("import failed: " + r.statusCode() + " " + r.body());
    }
  }

  /** {@code id,name,email,city} rows 1..n, generated 1,000 rows at a time while read. */
  private static final class CsvRows extends InputStream {
    private final int n;
    private int row;
    private byte[] cur = "id,name,email,city\n".getBytes(StandardCharsets.UTF_8);
    private int pos;

    CsvRows(int n) {
      this.n = n;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == cur.length) {
        if (row == n) {
          return -1;
        }
        StringBuilder sb = new StringBuilder(64 * 1000);
        for (int k = 0; k < 1000 && row < n; k++) {
          row++;
          sb.append(row).append(",Contact ").append(row).append(',').append(email(row)).append(",Oslo\n");
        }
        cur = sb.toString().getBytes(StandardCharsets.UTF_8);
        pos = 0;
      }
      int k = Math.min(len, cur.length - pos);
      System.arraycopy(cur, pos, b, off, k);
      pos += k;
      return k;
    }
  }
}
