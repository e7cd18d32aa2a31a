package dev.runnel.server;

import static dev.runnel.server.ServerTesting.enc;
import static dev.runnel.server.ServerTesting.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.server.ServerTesting.Res;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT auth, tenant isolation, roles, and SQL injection through every part of a request. */
class AuthAndInjectionTest {
  @TempDir static Path tmp;
  static RunnelServer server;
  static final byte[] SECRET = "test-secret-0123456789-abcdefghijklmnop".getBytes(StandardCharsets.UTF_8);
  static KeyPair rsa;
  static final List<String> LOGS = new ArrayList<>();
  static final Handler CAPTURE = new Handler() {
    final SimpleFormatter f = new SimpleFormatter();

    @Override
    public void publish(LogRecord r) {
      synchronized (LOGS) {
        LOGS.add(f.format(r));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void start() throws Exception {
    Logger root = Logger.getLogger("dev.runnel");
    root.setLevel(Level.ALL);
    root.addHandler(CAPTURE);
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa = g.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    ServerConfig.JwtConfig jwt = new ServerConfig.JwtConfig(SECRET, pem, "tenant", "role",
        java.util.Set.of("reader", "writer"), java.util.Set.of("writer"), java.time.Duration.ZERO);
    server = RunnelServer.start(ServerTesting.config(tmp).withJwt(jwt));
  }

  @AfterAll
  static void stop() {
    server.close();
    Logger.getLogger("dev.runnel").removeHandler(CAPTURE);
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String hs256(String payload) throws Exception {
    return hs256(payload, SECRET);
  }

  static String hs256(String payload, byte[] key) throws Exception {
    String si = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(payload);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return si + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(si.getBytes(StandardCharsets.US_ASCII)));
  }

  static String rs256(String payload, PrivateKey key) throws Exception {
    String si = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(payload);
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(si.getBytes(StandardCharsets.US_ASCII));
    return si + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static String claims(String tenant, String role, long exp) {
    return "{\"tenant\":\"" + tenant + "\",\"role\":\"" + role + "\",\"exp\":" + exp + "}";
  }

  static Res as(String token, String method, String path, String body, String... more) {
    String[] h = new String[more.length + 2];
    h[0] = "Authorization";
    h[1] = "Bearer " + token;
    System.arraycopy(more, 0, h, 2, more.length);
    return send(server, method, path, body, h);
  }

  @Test
  void auth_validTokens_readAndWriteOwnTenant() throws Exception {
    String w = hs256(claims("acme", "writer", now() + 600));
    assertEquals(201, as(w, "POST", "/t/acme/people", "{\"id\":1,\"name\":\"A\"}").status());
    String r = hs256(claims("acme", "reader", now() + 600));
    Res got = as(r, "GET", "/t/acme/people?select=name", null);
    assertEquals(200, got.status());
    assertEquals(List.of(Map.of("name", "A")), got.rows());
    String rsTok = rs256(claims("acme", "reader", now() + 600), rsa.getPrivate());
    assertEquals(200, as(rsTok, "GET", "/t/acme/people", null).status());
  }

  @Test
  void auth_badTokens_areRejected() throws Exception {
    assertEquals(401, send(server, "GET", "/t/acme/people", null).status());
    Res expired = as(hs256(claims("acme", "writer", now() - 10)), "GET", "/t/acme/people", null);
    assertEquals(401, expired.status());
    assertEquals("PGRST303", expired.obj().get("code"));
    Res nbf = as(hs256("{\"tenant\":\"acme\",\"role\":\"reader\",\"nbf\":" + (now() + 600) + "}"), "GET",
        "/t/acme/people", null);
    assertEquals(401, nbf.status());
    byte[] other = "another-secret-0123456789-abcdefghijklmn".getBytes(StandardCharsets.UTF_8);
    Res badSig = as(hs256(claims("acme", "writer", now() + 600), other), "GET", "/t/acme/people", null);
    assertEquals(401, badSig.status());
    assertEquals("PGRST301", badSig.obj().get("code"));
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    assertEquals(401, as(rs256(claims("acme", "reader", now() + 600), g.generateKeyPair().getPrivate()), "GET",
        "/t/acme/people", null).status());
    String none = b64("{\"alg\":\"none\"}") + "." + b64(claims("acme", "writer", now() + 600)) + ".";
    assertEquals(401, as(none, "GET", "/t/acme/people", null).status());
    assertEquals(401, as("not-a-jwt", "GET", "/t/acme/people", null).status());
    assertEquals(401, send(server, "GET", "/t/acme/people", null, "Authorization", "Basic YWxhZGRpbjpvcGVu").status());
    assertEquals(403, as(hs256(claims("acme", "admin", now() + 600)), "GET", "/t/acme/people", null).status());
  }

  @Test
  void auth_otherTenantsToken_neverReadsThisTenant() throws Exception {
    String a = hs256(claims("tenant-a", "writer", now() + 600));
    assertEquals(201, as(a, "POST", "/t/tenant-a/people", "{\"id\":1,\"name\":\"secret of A\"}").status());
    String b = hs256(claims("tenant-b", "writer", now() + 600));
    Res cross = as(b, "GET", "/t/tenant-a/people", null);
    assertEquals(403, cross.status());
    assertFalse(cross.body().contains("secret of A"));
    assertEquals(403, as(b, "POST", "/t/tenant-a/people", "{\"id\":2,\"name\":\"x\"}").status());
    assertEquals(403, as(b, "POST", "/t/tenant-a/people/import", "id,name\n3,x\n", "Content-Type", "text/csv").status());
    Res own = as(b, "GET", "/t/tenant-b/people", null);
    assertEquals(List.of(), own.rows());
    String noTenant = hs256("{\"role\":\"writer\",\"exp\":" + (now() + 600) + "}");
    assertEquals(403, as(noTenant, "GET", "/t/tenant-a/people", null).status());
  }

  @Test
  void auth_readerRole_cannotWrite() throws Exception {
    String r = hs256(claims("ro", "reader", now() + 600));
    assertEquals(403, as(r, "POST", "/t/ro/people", "{\"id\":1,\"name\":\"x\"}").status());
    assertEquals(403, as(r, "PATCH", "/t/ro/people?id=eq.1", "{\"name\":\"x\"}").status());
    assertEquals(403, as(r, "DELETE", "/t/ro/people", null).status());
    assertEquals(403, as(r, "POST", "/t/ro/people/import", "id,name\n1,x\n", "Content-Type", "text/csv").status());
    assertEquals(List.of(), as(r, "GET", "/t/ro/people", null).rows());
  }

  @Test
  void auth_tokensAndSecrets_neverInLogsOrErrors() throws Exception {
    String good = hs256(claims("logs", "writer", now() + 600));
    String expired = hs256(claims("logs", "writer", now() - 5));
    String forged = hs256(claims("logs", "writer", now() + 600), "x".repeat(40).getBytes(StandardCharsets.UTF_8));
    List<Res> all = new ArrayList<>();
    all.add(as(good, "POST", "/t/logs/people", "{\"id\":1,\"name\":\"n\"}"));
    all.add(as(good, "GET", "/t/logs/nope", null));
    all.add(as(expired, "GET", "/t/logs/people", null));
    all.add(as(forged, "GET", "/t/logs/people", null));
    all.add(as(good, "GET", "/t/other/people", null));
    all.add(send(server, "GET", "/", null));
    String secretText = new String(SECRET, StandardCharsets.UTF_8);
    for (Res r : all) {
      for (String tok : List.of(good, expired, forged)) {
        assertFalse(r.body().contains(tok), r.body());
        assertFalse(r.body().contains(tok.split("\\.")[2]), r.body());
      }
      assertFalse(r.body().contains(secretText));
    }
    List<String> logs;
    synchronized (LOGS) {
      logs = new ArrayList<>(LOGS);
    }
    assertTrue(logs.size() > 3, "expected captured log lines, got " + logs);
    for (String line : logs) {
      for (String tok : List.of(good, expired, forged)) {
        assertFalse(line.contains(tok.split("\\.")[2]), line);
        assertFalse(line.contains(tok.split("\\.")[1]), line);
      }
      assertFalse(line.contains(secretText), line);
    }
    assertFalse(server.config().jwt().toString().contains(secretText));
  }

  // ------------------------------------------------------------------------------ injection

  static String state(String tok) {
    Res people = as(tok, "GET", "/t/inj/people?order=id", null);
    Res tables = as(tok, "GET", "/t/inj/", null);
    return people.body() + "|" + tables.body();
  }

  @Test
  void injection_everyParameter_rejectedAndDatabaseUnchanged() throws Exception {
    String w = hs256(claims("inj", "writer", now() + 600));
    assertEquals(201, as(w, "POST", "/t/inj/people", "[{\"id\":1,\"name\":\"a\",\"email\":\"a@x\"},"
        + "{\"id\":2,\"name\":\"b\",\"email\":\"b@x\"}]").status());
    String before = state(w);
    String drop = "; DROP TABLE people; --";
    List<String[]> reqs = new ArrayList<>();
    // table names
    for (String t : List.of("people" + drop, "people\"" + drop, "\"people\"", "people/**/", "sqlite_master",
        "people WHERE 1=1", "pragma_table_info('people')")) {
      reqs.add(new String[] {"GET", "/t/inj/" + enc(t), null});
      reqs.add(new String[] {"DELETE", "/t/inj/" + enc(t), null});
    }
    // filter column names
    for (String c : List.of("id" + drop, "id\" OR 1=1 --", "id/**/OR/**/1", "\"id\";--", "id)--")) {
      reqs.add(new String[] {"GET", "/t/inj/people?" + enc(c) + "=eq.1", null});
      reqs.add(new String[] {"DELETE", "/t/inj/people?" + enc(c) + "=eq.1", null});
      reqs.add(new String[] {"PATCH", "/t/inj/people?" + enc(c) + "=eq.1", "{\"name\":\"z\"}"});
    }
    // operators
    reqs.add(new String[] {"DELETE", "/t/inj/people?id=" + enc("eq) OR 1=1 --.1"), null});
    reqs.add(new String[] {"DELETE", "/t/inj/people?id=" + enc("in.(1) OR 1=1 --"), null});
    reqs.add(new String[] {"DELETE", "/t/inj/people?or=" + enc("(id.eq.1) OR (1=1"), null});
    reqs.add(new String[] {"DELETE", "/t/inj/people?or=" + enc("(id.eq.9,id.gt.0) OR 1=1 --)"), null});
    // select
    for (String s : List.of("id,(SELECT sql FROM sqlite_master)", "id" + drop, "name AS x", "*,sqlite_version()",
        "id::text); DROP TABLE people;--", "x:id\"" + drop, "load_extension('x')")) {
      reqs.add(new String[] {"GET", "/t/inj/people?select=" + enc(s), null});
    }
    // order
    for (String o : List.of("id" + drop, "id desc--", "(CASE WHEN 1 THEN id END)", "id.asc;DROP TABLE people",
        "1", "random()")) {
      reqs.add(new String[] {"GET", "/t/inj/people?order=" + enc(o), null});
    }
    // on_conflict and columns
    reqs.add(new String[] {"POST", "/t/inj/people?on_conflict=" + enc("id) DO NOTHING" + drop), "{\"id\":1,\"name\":\"q\"}"});
    reqs.add(new String[] {"POST", "/t/inj/people?columns=" + enc("\"id\"); DROP TABLE people;--\""), "{\"id\":3,\"name\":\"q\"}"});
    // JSON keys
    reqs.add(new String[] {"POST", "/t/inj/people", "{\"name\\\") VALUES ('x')" + drop + "\":1}"});
    reqs.add(new String[] {"PATCH", "/t/inj/people?id=eq.1", "{\"name\\\" = 'x'" + drop + "\":\"v\"}"});
    reqs.add(new String[] {"POST", "/t/inj/people", "{\"id\":3,\"name\":\"ok\",\"email\\\"--\":\"x\"}"});
    // tenant path
    reqs.add(new String[] {"GET", "/t/" + enc("../inj") + "/people", null});
    reqs.add(new String[] {"GET", "/t/" + enc("inj'--") + "/people", null});
    for (String[] r : reqs) {
      Res res = as(w, r[0], r[1], r[2], "Prefer", "return=representation; DROP TABLE people");
      assertTrue(res.status() == 400 || res.status() == 404 || res.status() == 403,
          r[0] + " " + r[1] + " " + r[2] + " -> " + res);
      assertFalse(res.body().contains("CREATE TABLE"), res.body());
    }
    // Values are bound parameters: quotes and comments match nothing and change nothing.
    for (String v : List.of("x' OR '1'='1", "1; DROP TABLE people", "1 OR 1=1", "a\" OR \"\"=\"", "*' --")) {
      Res g = as(w, "GET", "/t/inj/people?name=eq." + enc(v), null);
      assertEquals(200, g.status());
      assertEquals(List.of(), g.rows());
      Res d = as(w, "DELETE", "/t/inj/people?name=like." + enc(v), null);
      assertEquals(204, d.status());
      Res l = as(w, "GET", "/t/inj/people?name=in." + enc("(" + "\"" + v.replace("\"", "\\\"") + "\")"), null);
      assertEquals(List.of(), l.rows());
    }
    assertEquals(before, state(w));
    // A value with SQL in it is stored as data, verbatim.
    Res ins = as(w, "POST", "/t/inj/people?select=name", "{\"id\":9,\"name\":\"Robert'); DROP TABLE people;--\"}",
        "Prefer", "return=representation");
    assertEquals(List.of(Map.of("name", "Robert'); DROP TABLE people;--")), ins.rows());
    // Legitimately odd identifiers work, quoted correctly.
    Res odd = as(w, "POST", "/t/inj/" + enc("odd \"name") + "?select=" + enc("we;ird"), "{\"id\":1,\"we;ird\":\"v\"}",
        "Prefer", "return=representation");
    assertEquals(201, odd.status(), odd.body());
    assertEquals(List.of(Map.of("we;ird", "v")), odd.rows());
  }
}
