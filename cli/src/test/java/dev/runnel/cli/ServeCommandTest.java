package dev.runnel.cli;

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runnel serve} as a user runs it: a process, real HTTP, SIGTERM, restart from the replica. */
class ServeCommandTest {
  @TempDir Path tmp;

  private static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
  }

  private RunnelProcess serve(int port, Path data, Path replica, Path schema) throws Exception {
    RunnelProcess p = RunnelProcess.start(tmp, Map.of("RUNNEL_SCHEMA", schema.toString()), "serve",
        "-addr", "127.0.0.1:" + port, "-data", data.toString(), "-replica", "file://" + replica);
    p.await("serving line", Duration.ofSeconds(60), () -> p.stdout().contains("serving http://"));
    return p;
  }

  @Test
  void serve_writeThenSigterm_restartWithEmptyDataDirFindsEverything() throws Exception {
    Path schema = tmp.resolve("schema.sql");
    Files.writeString(schema, "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
    Path replica = tmp.resolve("replica");
    int port = RunnelProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    try (RunnelProcess p = serve(port, tmp.resolve("data1"), replica, schema)) {
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build()).statusCode());
      HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/t/acme/contacts"))
          .header("Content-Type", "application/json").header("Prefer", "return=representation")
          .POST(HttpRequest.BodyPublishers.ofString("[{\"name\":\"Ada\"},{\"name\":\"Grace\"}]")).build());
      assertEquals(201, post.statusCode(), post.body());
      assertEquals(0, p.terminate(Duration.ofSeconds(60)), p.output());
    }
    int port2 = RunnelProcess.freePort();
    String base2 = "http://127.0.0.1:" + port2;
    try (RunnelProcess p = serve(port2, tmp.resolve("data2"), replica, schema)) {
      HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(base2 + "/t/acme/contacts?order=id.asc")).build());
      assertEquals(200, get.statusCode(), get.body());
      assertTrue(get.body().contains("Ada") && get.body().contains("Grace"), get.body());
      assertEquals(0, p.terminate(Duration.ofSeconds(60)), p.output());
    }
  }

  @Test
  void serveConfig_postThenSigterm_restartFindsRowRestoredFromReplica() throws Exception {
    Path schema = tmp.resolve("schema.sql");
    Files.writeString(schema, "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
    int port = RunnelProcess.freePort();
    Path config = tmp.resolve("serve.yml");
    Files.writeString(config, """
        addr: 127.0.0.1:%d
        data: ${DATA_DIR}
        replica: file://%s
        schema: %s
        tenants:
          idle-timeout: 10m
          lease-ttl: 5s
        status-page: false
        """.formatted(port, tmp.resolve("replica"), schema));
    String base = "http://127.0.0.1:" + port;
    Path data = tmp.resolve("data");
    for (int run = 0; run < 2; run++) {
      try (RunnelProcess p = RunnelProcess.start(tmp, Map.of("DATA_DIR", data.toString()), "serve", "-config",
          config.toString())) {
        p.await("serving line", Duration.ofSeconds(60), () -> p.stdout().contains("serving http://"));
        assertTrue(p.stdout().contains("tenants in " + data.resolve("tenants")), p.output());
        assertFalse(p.stdout().contains("curl"), p.output()); // a config file: no example table
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/")).build()).statusCode());
        if (run == 0) {
          HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/t/acme/contacts"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"id\":7,\"name\":\"Ada\"}")).build());
          assertEquals(201, post.statusCode(), post.body());
        } else {
          // The data directory's tenants are scratch space, emptied at start: this row comes from the replica.
          HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(base + "/t/acme/contacts?id=eq.7&select=name"))
              .build());
          assertEquals(200, get.statusCode(), get.body());
          assertEquals("[{\"name\":\"Ada\"}]", get.body());
        }
        assertEquals(0, p.terminate(Duration.ofSeconds(60)), p.output());
      }
    }
  }

  @Test
  void serve_noConfig_servesExampleTableFromLocalDataDirOnLoopback() throws Exception {
    Path cwd = tmp.resolve("fresh");
    int port = RunnelProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    try (RunnelProcess p = RunnelProcess.start(cwd, Map.of("RUNNEL_ADDR", "127.0.0.1:" + port), "serve")) {
      p.await("serving line", Duration.ofSeconds(60), () -> p.stdout().contains("curl '"));
      assertTrue(p.stdout().contains("serving http://127.0.0.1:" + port), p.output());
      assertTrue(p.stdout().contains("replica file://" + cwd.resolve("runnel-data/replica")), p.output());
      assertTrue(p.stdout().contains("curl -X POST " + base + "/t/demo/notes"), p.output());
      assertTrue(p.stderr().contains("no JWT configured") && p.stderr().contains("other clients get 401"), p.output());
      HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/t/demo/notes"))
          .header("Content-Type", "application/json").header("Prefer", "durable")
          .POST(HttpRequest.BodyPublishers.ofString("{\"body\":\"hello\"}")).build());
      assertEquals(201, post.statusCode(), post.body());
      HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(base + "/t/demo/notes?select=id,body")).build());
      assertEquals("[{\"id\":1,\"body\":\"hello\"}]", get.body());
      assertTrue(Files.isDirectory(cwd.resolve("runnel-data/replica/demo")), p.output());
      assertEquals(0, p.terminate(Duration.ofSeconds(60)), p.output());
    }
  }

  @Test
  void serveConfig_unknownKey_exit1OneLineNothingStarted() throws Exception {
    Path config = tmp.resolve("serve.yml");
    Files.writeString(config, "data: " + tmp.resolve("never") + "\nauth:\n  jwt-secret-fil: /run/s\n");
    CliRun r = CliRun.of("serve", "-config", config.toString());
    assertEquals(1, r.exitCode(), r.err());
    assertEquals("Error: " + config + ":3: unknown key 'auth.jwt-secret-fil' (did you mean 'jwt-secret-file'?)",
        r.err().lines().findFirst().orElse(""));
    assertFalse(Files.exists(tmp.resolve("never")), "nothing may start on a bad config");
  }

  @Test
  void serveConfig_missingFileOrBadYaml_exit1() throws Exception {
    CliRun r = CliRun.of("serve", "-config", tmp.resolve("nope.yml").toString());
    assertEquals(1, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("Error: config file not found: " + tmp.resolve("nope.yml")), r.err());
    Path bad = Files.writeString(tmp.resolve("bad.yml"), "addr: [\n");
    r = CliRun.of("serve", "-config", bad.toString());
    assertEquals(1, r.exitCode(), r.err());
    assertTrue(r.err().contains("invalid YAML"), r.err());
  }

  @Test
  void serve_badAddr_errorWithHint() {
    CliRun r = CliRun.of("serve", "-addr", "no-port-here");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("invalid -addr") && r.err().contains("Try:"), r.err());
  }
}
