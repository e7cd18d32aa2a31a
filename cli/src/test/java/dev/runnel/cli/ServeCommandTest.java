package dev.runnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void serve_badAddr_errorWithHint() {
    CliRun r = CliRun.of("serve", "-addr", "no-port-here");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("invalid -addr") && r.err().contains("Try:"), r.err());
  }
}
