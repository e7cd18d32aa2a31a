package dev.runnel.server;

import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.tenant.TenantOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Shared helpers of the server tests: a server on a free port over a file replica, and an HTTP client. */
final class ServerTesting {
  private ServerTesting() {}

  static final String SCHEMA = """
      CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER,
        active BOOLEAN, score REAL, meta JSON);
      CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, phone TEXT,
        age INTEGER CHECK (age IS NULL OR age >= 0), joined DATE);
      CREATE TABLE tags (k TEXT NOT NULL, v TEXT, n INTEGER DEFAULT 7, PRIMARY KEY (k));
      CREATE TABLE "odd ""name" (id INTEGER PRIMARY KEY, "we;ird" TEXT);
      CREATE VIEW adults AS SELECT id, name, age FROM people WHERE age >= 18;
      """;

  static TenantOptions fastOptions() {
    return TenantOptions.defaults()
        .withSweepInterval(Duration.ofHours(1))
        .withReplication(ReplicationOptions.defaults()
            .withMonitorInterval(Duration.ofMillis(20))
            .withUploadRetryMax(Duration.ofMillis(200))
            .withShutdownSync(Duration.ofSeconds(10), Duration.ofMillis(50)));
  }

  static ServerConfig config(Path tmp) {
    return ServerConfig.defaults()
        .withPort(0)
        .withDataDir(tmp.resolve("data"))
        .withReplicaBase("file://" + tmp.resolve("replica").toAbsolutePath())
        .withTenantOptions(fastOptions())
        .withTenantSchema(SCHEMA)
        .withShutdownGrace(Duration.ofSeconds(5));
  }

  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Res(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
          .map(e -> e.getValue().get(0)).orElse(null);
    }

    Object json() {
      try {
        return Json.parse(body);
      } catch (Json.ParseException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows() {
      return (List<Map<String, Object>>) json();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> obj() {
      return (Map<String, Object>) json();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** Sends a request; {@code headers} alternate name, value. */
  static Res send(RunnelServer s, String method, String pathAndQuery, String body, String... headers) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUri() + pathAndQuery))
          .timeout(Duration.ofSeconds(60))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      boolean ct = false;
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
        ct |= headers[i].equalsIgnoreCase("Content-Type");
      }
      if (body != null && !ct) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Res get(RunnelServer s, String pathAndQuery, String... headers) {
    return send(s, "GET", pathAndQuery, null, headers);
  }

  /** URL-encodes a query parameter value (spaces as %20). */
  static String enc(String v) {
    return java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
