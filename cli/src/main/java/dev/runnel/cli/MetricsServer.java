package dev.runnel.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.runnel.metrics.PrometheusText;
import dev.runnel.replicate.ReplicationStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The {@code addr} HTTP server: {@code /metrics} in Prometheus text format 0.0.4 with Litestream's
 * metric names, types and labels, plus Runnel's lag gauge; {@code /healthz} answers 503 while any
 * database's replication is stalled.
 */
final class MetricsServer implements AutoCloseable {
  /**
   * When a database counts as stalled.
   *
   * @param maxLag unreplicated changes older than this
   * @param errorWindow errors (sync or upload) without a success for this long
   */
  record HealthPolicy(Duration maxLag, Duration errorWindow) {
    static final HealthPolicy DEFAULT = new HealthPolicy(Duration.ofMinutes(5), Duration.ofMinutes(1));
  }

  private final HttpServer server;
  private final Supplier<Collection<Daemon.Managed>> dbs;
  private final HealthPolicy health;

  private MetricsServer(HttpServer server, Supplier<Collection<Daemon.Managed>> dbs, HealthPolicy health) {
    this.server = server;
    this.dbs = dbs;
    this.health = health;
  }

  /** Parses {@code host:port} ({@code :9090} binds every interface). */
  static InetSocketAddress parseAddr(String addr) throws CliException {
    int colon = addr.lastIndexOf(':');
    if (colon < 0) {
      throw new CliException("invalid addr \"" + addr + "\": expected HOST:PORT or :PORT", "addr: \":9090\"");
    }
    String host = addr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(addr.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException("invalid port in addr \"" + addr + "\"", "addr: \":9090\"");
    }
    if (port < 0 || port > 65535) {
      throw new CliException("invalid port in addr \"" + addr + "\"", "addr: \":9090\"");
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  static MetricsServer start(String addr, Supplier<Collection<Daemon.Managed>> dbs, HealthPolicy health)
      throws CliException {
    InetSocketAddress a = parseAddr(addr);
    HttpServer s;
    try {
      s = HttpServer.create(a, 16);
    } catch (IOException e) {
      throw new CliException("cannot serve metrics on " + addr + ": " + Main.message(e),
          "pick a free port for addr in the config", e);
    }
    MetricsServer m = new MetricsServer(s, dbs, health);
    s.createContext("/metrics", m::metrics);
    s.createContext("/healthz", m::healthz);
    s.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "runnel-http");
      t.setDaemon(true);
      return t;
    }));
    s.start();
    return m;
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void send(HttpExchange ex, int code, String contentType, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(code, -1);
    } else {
      ex.sendResponseHeaders(code, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }
    ex.close();
  }

  private void metrics(HttpExchange ex) throws IOException {
    try {
      send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", render(dbs.get()));
    } catch (RuntimeException e) {
      send(ex, 500, "text/plain; charset=utf-8", "error: " + e + "\n");
    }
  }

  private void healthz(HttpExchange ex) throws IOException {
    List<String> problems = problems(dbs.get(), health, Instant.now());
    Map<String, Object> j = Json.object();
    j.put("status", problems.isEmpty() ? "ok" : "stalled");
    j.put("problems", problems);
    send(ex, problems.isEmpty() ? 200 : 503, "application/json", Json.write(j) + "\n");
  }

  /** Why replication is unhealthy; empty when healthy. */
  static List<String> problems(Collection<Daemon.Managed> dbs, HealthPolicy policy, Instant now) {
    List<String> out = new ArrayList<>();
    for (Daemon.Managed m : dbs) {
      ReplicationStatus s = m.status();
      if (s == null) {
        continue;
      }
      if (s.lag().compareTo(policy.maxLag()) > 0) {
        out.add(m.spec.path() + ": replication lag " + s.lag().toSeconds() + "s exceeds " + policy.maxLag().toSeconds()
            + "s");
      }
      Instant since = m.errorSince;
      if (since != null && s.lastError().isPresent() && Duration.between(since, now).compareTo(policy.errorWindow()) >= 0) {
        out.add(m.spec.path() + ": failing since " + since + ": " + s.lastError().get());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ rendering

  /** A family of the exposition being built: a handle that fixes name, type and help. */
  private record Family(PrometheusText out, String name, String type, String help) {
    void add(Map<String, String> labels, double v) {
      out.add(name, type, help, labels, v);
    }

    void addRaw(String sample, Map<String, String> labels, double v) {
      out.addSample(name, sample, type, help, labels, v);
    }
  }

  static String render(Collection<Daemon.Managed> dbs) {
    PrometheusText out = new PrometheusText();
    java.util.function.BiFunction<String, String[], Family> fam = (name, th) -> {
      out.declare(name, th[0], th[1]);
      return new Family(out, name, th[0], th[1]);
    };
    for (Daemon.Managed m : dbs) {
      ReplicationStatus s = m.status();
      if (s == null) {
        continue;
      }
      Map<String, String> db = Map.of("db", m.spec.path().toString());
      fam.apply("litestream_db_size", new String[] {"gauge", "The current size of the real DB"}).add(db, s.dbSize());
      fam.apply("litestream_wal_size", new String[] {"gauge", "The current size of the real WAL"}).add(db, s.walOffset());
      fam.apply("litestream_total_wal_bytes", new String[] {"counter", "Total number of bytes written to shadow WAL"})
          .add(db, s.walBytesTotal());
      fam.apply("litestream_txid", new String[] {"gauge", "Current transaction ID"}).add(db, s.localTxId().value());
      fam.apply("litestream_sync_count", new String[] {"counter", "Number of sync operations performed"})
          .add(db, s.syncCount());
      fam.apply("litestream_sync_error_count", new String[] {"counter", "Number of sync errors that have occurred"})
          .add(db, s.syncErrorCount());
      fam.apply("litestream_sync_seconds", new String[] {"counter", "Time spent syncing shadow WAL, in seconds"})
          .add(db, s.syncTime().toNanos() / 1e9);
      Family cc = fam.apply("litestream_checkpoint_count", new String[] {"counter", "Number of checkpoint operations"});
      Family ce = fam.apply("litestream_checkpoint_error_count",
          new String[] {"counter", "Number of checkpoint errors that have occurred"});
      Family cs = fam.apply("litestream_checkpoint_seconds",
          new String[] {"counter", "Time spent checkpointing WAL, in seconds"});
      for (String mode : List.of("PASSIVE", "TRUNCATE")) {
        ReplicationStatus.CheckpointStats c = s.checkpoints().get(mode);
        Map<String, String> l = new TreeMap<>(db);
        l.put("mode", mode);
        cc.add(l, c == null ? 0 : c.count());
        ce.add(l, c == null ? 0 : c.errors());
        cs.add(l, c == null ? 0 : c.time().toNanos() / 1e9);
      }
      double lag = s.lag().toNanos() / 1e9;
      fam.apply("runnel_replica_lag_seconds", new String[] {"gauge",
          "Seconds since the oldest change not yet in the replica; 0 when caught up"}).add(db, lag);
      fam.apply("litestream_replica_lag_seconds", new String[] {"gauge",
          "Alias of runnel_replica_lag_seconds for dashboards that expect this name"}).add(db, lag);
      fam.apply("runnel_replica_txid", new String[] {"gauge", "Newest transaction ID stored in the replica"})
          .add(db, s.replicatedTxId().value());
      fam.apply("runnel_last_sync_timestamp_seconds", new String[] {"gauge",
          "Unix time of the last sync that wrote an L0 file"}).add(db,
          s.lastSyncAt().map(t -> t.toEpochMilli() / 1000.0).orElse(0.0));
      fam.apply("runnel_last_upload_timestamp_seconds", new String[] {"gauge",
          "Unix time of the last successful upload to the replica"}).add(db,
          s.lastUploadAt().map(t -> t.toEpochMilli() / 1000.0).orElse(0.0));
    }
    // Replica operations, summed per replica type (Litestream's labels).
    Map<String, Map<String, long[]>> ops = new TreeMap<>();
    Map<String, Map<String, double[]>> hist = new TreeMap<>();
    Map<String, Map<String, Map<String, Long>>> errs = new TreeMap<>();
    for (Daemon.Managed m : dbs) {
      String type = m.client.type();
      for (String op : MeteredReplicaClient.OPERATIONS) {
        MeteredReplicaClient.OpStats st = m.client.stats(op);
        long[] a = ops.computeIfAbsent(type, k -> new TreeMap<>()).computeIfAbsent(op, k -> new long[3]);
        a[0] += st.count.get();
        a[1] += st.bytes.get();
        a[2] += st.nanos.get();
        double[] h = hist.computeIfAbsent(type, k -> new TreeMap<>())
            .computeIfAbsent(op, k -> new double[MeteredReplicaClient.BUCKETS.length]);
        for (int i = 0; i < h.length; i++) {
          h[i] += st.buckets.get(i);
        }
        st.errors.forEach((code, n) -> errs.computeIfAbsent(type, k -> new TreeMap<>())
            .computeIfAbsent(op, k -> new TreeMap<>()).merge(code, n.get(), Long::sum));
      }
    }
    Family total = fam.apply("litestream_replica_operation_total",
        new String[] {"counter", "The number of replica operations performed"});
    Family bytes = fam.apply("litestream_replica_operation_bytes",
        new String[] {"counter", "The number of bytes used by replica operations"});
    Family dur = fam.apply("litestream_replica_operation_duration_seconds",
        new String[] {"histogram", "The duration of replica operations"});
    Family err = fam.apply("litestream_replica_operation_errors_total",
        new String[] {"counter", "The number of replica operation errors"});
    ops.forEach((type, byOp) -> byOp.forEach((op, a) -> {
      Map<String, String> l = new TreeMap<>();
      l.put("replica_type", type);
      l.put("operation", op);
      total.add(l, a[0]);
      bytes.add(l, a[1]);
      double[] h = hist.get(type).get(op);
      for (int i = 0; i < h.length; i++) {
        Map<String, String> bl = new TreeMap<>(l);
        bl.put("le", PrometheusText.num(MeteredReplicaClient.BUCKETS[i]));
        dur.addRaw(dur.name() + "_bucket", bl, h[i]);
      }
      Map<String, String> inf = new TreeMap<>(l);
      inf.put("le", "+Inf");
      dur.addRaw(dur.name() + "_bucket", inf, a[0]);
      dur.addRaw(dur.name() + "_sum", l, a[2] / 1e9);
      dur.addRaw(dur.name() + "_count", l, a[0]);
    }));
    errs.forEach((type, byOp) -> byOp.forEach((op, byCode) -> byCode.forEach((code, n) -> {
      Map<String, String> l = new TreeMap<>();
      l.put("replica_type", type);
      l.put("operation", op);
      l.put("code", code);
      err.add(l, n);
    })));
    fam.apply("runnel_databases", new String[] {"gauge", "Databases under replication (open)"})
        .add(Map.of(), dbs.stream().filter(d -> d.rdb != null).count());

    return out.text();
  }

}
