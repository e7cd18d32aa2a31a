package dev.runnel.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.runnel.server.RunnelServer;
import dev.runnel.server.ServerConfig;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * CPU time per request of ServerBench's filtered GET: process CPU time (server, client and
 * everything else in this JVM) divided by the requests served. Unlike requests/s it hardly depends
 * on how busy the machine's other processes keep the cores, so old and new builds can be compared
 * on a shared machine. The client is {@link LoopbackHttp}; every answer is checked.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.runnel.bench.ServerCpuBench [--seconds S] [--rounds N]
 * </pre>
 */
final class ServerCpuBench {
  private static final int ROWS = 10_000;

  private ServerCpuBench() {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    double seconds = args.doubleValue("seconds", 2, 2);
    int rounds = args.intValue("rounds", 3, 3);
    Path dir = Harness.tempDir("server-cpu");
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (RunnelServer server = RunnelServer.start(ServerConfig.defaults().withPort(0)
        .withDataDir(dir.resolve("data")).withReplicaBase("file://" + dir.resolve("replica"))
        .withTenantSchema("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            + "email TEXT NOT NULL UNIQUE, city TEXT);")
        .withShutdownGrace(Duration.ofSeconds(5)))) {
      seed(server);
      String host = server.address().getHostString();
      for (int connections : new int[] {1, 4}) {
        System.out.printf("GET connections=%d  %s%n", connections,
            cpuAndRate(host, server.port(), connections, rounds, seconds, ServerCpuBench::filteredGet, os));
      }
    } finally {
      Harness.deleteTree(dir);
    }
    System.out.println("loadavg at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void seed(RunnelServer server) throws Exception {
    StringBuilder csv = new StringBuilder("id,name,email,city\n");
    for (int id = 1; id <= ROWS; id++) {
      csv.append(id).append(",Contact ").append(id).append(",c").append(id).append("@example.com,Oslo\n");
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        java.net.URI.create(server.baseUri() + "/t/bench/contacts/import")).header("Content-Type", "text/csv")
        .POST(HttpRequest.BodyPublishers.ofString(csv.toString())).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("seed import failed: " + r.statusCode() + " " + r.body());
    }
  }

  /** ServerBench's GET of a random contact, with its answer checked. */
  private static void filteredGet(LoopbackHttp h) throws Exception {
    int id = 1 + ThreadLocalRandom.current().nextInt(ROWS);
    LoopbackHttp.Response r = h.send("GET", "/t/bench/contacts?email=eq."
        + URLEncoder.encode("c" + id + "@example.com", StandardCharsets.UTF_8) + "&select=id,name", null, null);
    String want = "[{\"id\":" + id + ",\"name\":\"Contact " + id + "\"}]";
    if (r.status() != 200 || !r.body().equals(want)) {
      throw new IllegalStateException("GET: expected 200 " + want + ", got " + r.status() + " " + r.body());
    }
  }

  /** One request and the check of its answer on a worker's connection. */
  interface Request {
    void send(LoopbackHttp h) throws Exception;
  }

  /**
   * After a warm-up, {@code rounds} runs of {@code request} on {@code connections} keep-alive
   * sockets for {@code seconds} each: process CPU µs per request and requests/s, as median (min–max).
   */
  static String cpuAndRate(String host, int port, int connections, int rounds, double seconds, Request request,
      OperatingSystemMXBean os) throws Exception {
    run(host, port, connections, Math.max(3, seconds), request);
    List<Double> cpu = new ArrayList<>();
    List<Double> rate = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long n = run(host, port, connections, seconds, request);
      cpu.add((os.getProcessCpuTime() - cpu0) / 1e3 / n);
      rate.add(n / ((System.nanoTime() - t0) / 1e9));
    }
    return "CPU µs/request " + Harness.mmm(cpu) + "  req/s " + Harness.mmm(rate);
  }

  /** Sends {@code request} on {@code connections} sockets for {@code seconds}; returns the number sent. */
  private static long run(String host, int port, int connections, double seconds, Request request)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    try {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      List<Future<Long>> fs = new ArrayList<>();
      for (int w = 0; w < connections; w++) {
        fs.add(pool.submit(() -> {
          long n = 0;
          try (LoopbackHttp h = new LoopbackHttp(host, port)) {
            while (System.nanoTime() < end) {
              request.send(h);
              n++;
            }
          }
          return n;
        }));
      }
      long total = 0;
      for (Future<Long> f : fs) {
        total += f.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
