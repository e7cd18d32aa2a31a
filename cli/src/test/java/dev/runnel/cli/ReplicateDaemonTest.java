package dev.runnel.cli;

import static dev.runnel.cli.RunnelProcess.sqlite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runnel replicate} as a separate process: external writers, signals, -exec, directory mode, metrics. */
class ReplicateDaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path tmp;

  static boolean hasFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.toString().endsWith(".ltx"));
    } catch (Exception e) {
      return false;
    }
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Parsed Prometheus text: family types, and samples as "name{labels}" → value. */
  record Scrape(Map<String, String> types, Map<String, Double> samples) {
    static Scrape parse(String text) {
      Map<String, String> types = new HashMap<>();
      Map<String, Double> samples = new HashMap<>();
      Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] f = line.split(" ");
          types.put(f[2], f[3]);
        } else if (!line.startsWith("#") && !line.isBlank()) {
          Matcher m = sample.matcher(line);
          assertTrue(m.matches(), "malformed sample line: " + line);
          samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
      }
      return new Scrape(types, samples);
    }

    double get(String key) {
      Double v = samples.get(key);
      if (v == null) {
        throw new AssertionError("no sample " + key + " in " + samples.keySet());
      }
      return v;
    }
  }

  @Test
  void replicate_externalWriter_metricsHealthRestoreThenStalledReplica() throws Exception {
    Path db = tmp.resolve("app.db");
    Path replica = tmp.resolve("replica");
    sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
    int port = RunnelProcess.freePort();
    Path cfg = tmp.resolve("litestream.yml");
    Files.writeString(cfg, """
        addr: "127.0.0.1:%d"
        shutdown-sync-timeout: 1s
        dbs:
          - path: %s
            monitor-interval: 100ms
            replica:
              url: file://%s
        """.formatted(port, db, replica));
    try (RunnelProcess p = RunnelProcess.start(tmp, Map.of(), "replicate", "-config", cfg.toString(),
        "-health-max-lag", "1s", "-health-error-window", "1s")) {
      p.await("first L0 file", WAIT, () -> hasFiles(replica.resolve("ltx/0")));
      for (int i = 0; i < 25; i++) {
        sqlite(db, "INSERT INTO t (v) VALUES ('row " + i + "')");
      }
      String expected = sqlite(db, "SELECT group_concat(v, ',') FROM t");
      String txid = sqlite(db, "SELECT count(*) FROM t");
      assertEquals("25", txid);
      // Wait until caught up: the replica's TxId equals the local one and lag is 0.
      p.await("caught up", WAIT, () -> {
        try {
          Scrape s = Scrape.parse(get(port, "/metrics").body());
          String l = "{db=\"" + db + "\"}";
          return s.get("runnel_replica_txid" + l) == s.get("litestream_txid" + l) && s.get("litestream_txid" + l) > 1
              && s.get("runnel_replica_lag_seconds" + l) == 0;
        } catch (Exception e) {
          return false;
        }
      });
      HttpResponse<String> m = get(port, "/metrics");
      assertEquals(200, m.statusCode());
      assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      Scrape s = Scrape.parse(m.body());
      String l = "{db=\"" + db + "\"}";
      for (String g : List.of("litestream_db_size", "litestream_wal_size", "litestream_txid",
          "runnel_replica_lag_seconds", "litestream_replica_lag_seconds")) {
        assertEquals("gauge", s.types().get(g), g);
        s.get(g + l);
      }
      for (String c : List.of("litestream_total_wal_bytes", "litestream_sync_count", "litestream_sync_error_count",
          "litestream_sync_seconds", "litestream_checkpoint_count", "litestream_checkpoint_error_count",
          "litestream_checkpoint_seconds", "litestream_replica_operation_total",
          "litestream_replica_operation_bytes")) {
        assertEquals("counter", s.types().get(c), c);
      }
      assertEquals("histogram", s.types().get("litestream_replica_operation_duration_seconds"));
      assertTrue(s.get("litestream_sync_count" + l) >= 2);
      assertTrue(s.get("litestream_db_size" + l) > 0);
      s.get("litestream_checkpoint_count{db=\"" + db + "\",mode=\"PASSIVE\"}");
      s.get("litestream_checkpoint_count{db=\"" + db + "\",mode=\"TRUNCATE\"}");
      assertTrue(s.get("litestream_replica_operation_total{operation=\"PUT\",replica_type=\"file\"}") >= 2);
      assertTrue(s.get("litestream_replica_operation_bytes{operation=\"PUT\",replica_type=\"file\"}") > 0);
      assertEquals(s.get("litestream_replica_operation_total{operation=\"PUT\",replica_type=\"file\"}"),
          s.get("litestream_replica_operation_duration_seconds_bucket{le=\"+Inf\",operation=\"PUT\",replica_type=\"file\"}"));
      assertEquals(200, get(port, "/healthz").statusCode());

      // Restore while it runs (read-only on the replica) and compare.
      Path out = tmp.resolve("restored.db");
      CliRun r = CliRun.of("restore", "-config", cfg.toString(), "-o", out.toString(), "-integrity-check", "full",
          db.toString());
      assertEquals(0, r.exitCode(), r.out() + r.err());
      assertEquals(expected, sqlite(out, "SELECT group_concat(v, ',') FROM t"));

      // Break the replica: uploads fail, lag grows, /healthz turns 503.
      try (Stream<Path> w = Files.walk(replica)) {
        for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
      Files.writeString(replica, "not a directory");
      sqlite(db, "INSERT INTO t (v) VALUES ('lost?')");
      p.await("healthz 503", WAIT, () -> {
        try {
          return get(port, "/healthz").statusCode() == 503;
        } catch (Exception e) {
          return false;
        }
      });
      assertTrue(get(port, "/healthz").body().contains("stalled"));
      // SIGTERM: the final upload cannot succeed within shutdown-sync-timeout → exit 1, data kept locally.
      assertEquals(1, p.terminate(WAIT), p.output());
      assertTrue(p.stderr().contains("Error: ") && p.stderr().contains("final upload incomplete"), p.output());
    }
  }

  @Test
  void replicate_exec_childWritesAndExits_nothingLost_thenRestoreIfMissingOnBoot() throws Exception {
    Path db = tmp.resolve("app.db");
    Path replica = tmp.resolve("replica");
    sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
    Path cfg = tmp.resolve("litestream.yml");
    Files.writeString(cfg, """
        dbs:
          - path: %s
            replica:
              url: file://%s
        """.formatted(db, replica));
    Path writer = tmp.resolve("writer.sh");
    Files.writeString(writer, """
        #!/bin/sh
        i=0
        while [ $i -lt 40 ]; do
          sqlite3 "$1" "INSERT INTO t (v) VALUES ('child $i')" || exit 5
          i=$((i+1))
        done
        exit 0
        """);
    RunnelProcess p = RunnelProcess.run(tmp, Duration.ofSeconds(90), "replicate", "-config", cfg.toString(),
        "-exec", "sh '" + writer + "' '" + db + "'");
    assertEquals(0, p.exitCode(), p.output());
    String expected = sqlite(db, "SELECT group_concat(v, ',') FROM t");

    // Container boot: the database is gone; restore it, then the app (a child) sees every row.
    for (String suffix : List.of("", "-wal", "-shm")) {
      Files.deleteIfExists(tmp.resolve("app.db" + suffix));
    }
    Path reader = tmp.resolve("reader.sh");
    Path count = tmp.resolve("count.txt");
    Files.writeString(reader, "#!/bin/sh\nsqlite3 \"$1\" \"SELECT group_concat(v, ',') FROM t\" > \"$2\"\n");
    RunnelProcess boot = RunnelProcess.run(tmp, Duration.ofSeconds(90), "replicate", "-config", cfg.toString(),
        "-restore-if-db-not-exists", "-exec", "sh " + reader + " " + db + " " + count);
    assertEquals(0, boot.exitCode(), boot.output());
    assertEquals(expected, Files.readString(count).trim());

    // A failing child makes runnel exit 1 (its code is not propagated), after a clean shutdown.
    RunnelProcess fail = RunnelProcess.run(tmp, Duration.ofSeconds(90), "replicate", "-config", cfg.toString(),
        "-exec", "sh -c 'exit 3'");
    assertEquals(1, fail.exitCode(), fail.output());
    assertTrue(fail.stderr().contains("Error: child process exited with code 3"), fail.output());
  }

  @Test
  void replicate_directoryWatch_databasesAppearAndDisappear() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data.resolve("team-b"));
    Path a = data.resolve("a.db");
    sqlite(a, "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a1');");
    Files.writeString(data.resolve("notes.db"), "not a database, just a file that matches the pattern");
    Path rep = tmp.resolve("rep");
    Path cfg = tmp.resolve("litestream.yml");
    Files.writeString(cfg, """
        dbs:
          - dir: %s
            pattern: "*.db"
            recursive: true
            watch: true
            monitor-interval: 100ms
            replica:
              url: file://%s
        """.formatted(data, rep));
    try (RunnelProcess p = RunnelProcess.start(tmp, Map.of(), "replicate", "-config", cfg.toString())) {
      p.await("a.db replicated", WAIT, () -> hasFiles(rep.resolve("a.db/ltx/0")));
      Path b = data.resolve("team-b/b.db");
      sqlite(b, "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('b1'), ('b2');");
      p.await("b.db picked up", WAIT, () -> hasFiles(rep.resolve("team-b/b.db/ltx/0")));
      sqlite(b, "INSERT INTO t VALUES ('b3')");
      Files.delete(a);
      Files.deleteIfExists(data.resolve("a.db-wal"));
      Files.deleteIfExists(data.resolve("a.db-shm"));
      p.await("a.db dropped", WAIT, () -> p.stdout().contains(a + ": database removed"));
      assertEquals(0, p.terminate(WAIT), p.output());
      assertFalse(Files.exists(rep.resolve("notes.db")), "non-SQLite files are not replicated");
    }
    // Directory-mode databases restore by path (Litestream says "database not found in config").
    Path out = tmp.resolve("b-restored.db");
    CliRun r = CliRun.of("restore", "-config", cfg.toString(), "-o", out.toString(),
        data.resolve("team-b/b.db").toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertEquals("b1,b2,b3", sqlite(out, "SELECT group_concat(v, ',') FROM t"));
    Path outA = tmp.resolve("a-restored.db");
    assertEquals(0, CliRun.of("restore", "-config", cfg.toString(), "-o", outA.toString(), a.toString()).exitCode());
    assertEquals("a1", sqlite(outA, "SELECT group_concat(v, ',') FROM t"));
  }
}
