package dev.runnel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code runnel serve} config file: every key, strictness, and one-line errors with file and line. */
class ServeConfigTest {
  private static final String SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t!";
  @TempDir Path tmp;

  private static ServeFile parse(String yaml) throws ConfigException {
    return parse(yaml, Map.of());
  }

  private static ServeFile parse(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigTestSupport.loader(env).parseServe(yaml, "serve.yml", true);
  }

  private static List<String> errors(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).problems();
  }

  private static void assertOneError(String yaml, String... fragments) {
    List<String> errs = errors(yaml);
    assertEquals(1, errs.size(), errs.toString());
    for (String f : fragments) {
      assertTrue(errs.get(0).contains(f), "'" + f + "' not in: " + errs.get(0));
    }
  }

  @Test
  void parseServe_everyKey_read() throws Exception {
    Path schema = Files.writeString(tmp.resolve("schema.sql"), "CREATE TABLE t (id INTEGER PRIMARY KEY);");
    Path secret = Files.writeString(tmp.resolve("jwt.secret"), SECRET + "\n");
    ServeFile f = parse("""
        addr: 0.0.0.0:8080
        data: data
        replica: s3://bucket/tenants?endpoint=http://127.0.0.1:9000
        schema: %s
        tables: [contacts, notes]
        auth:
          jwt-secret-file: %s
          tenant-claim: org
          role-claim: access
          leeway: 30s
          remote-anonymous: false
        tenants:
          idle-timeout: 2m
          park-after: 45s
          max-hot: 50
          disk-budget: 1GiB
          lease-ttl: 10s
          max-readers: 2
          busy-timeout: 3s
        limits:
          import-max-size: 64MiB
          body-max-size: 1MB
        shutdown-grace: 5s
        status-page: false
        metrics: true
        """.formatted(schema, secret));
    assertEquals(Optional.of("0.0.0.0:8080"), f.addr());
    assertEquals(Optional.of(Path.of("/srv/app/data")), f.data()); // relative to the working directory
    assertEquals(Optional.of("s3://bucket/tenants?endpoint=http://127.0.0.1:9000"), f.replica());
    assertEquals(Optional.of("CREATE TABLE t (id INTEGER PRIMARY KEY);"), f.schemaSql());
    assertEquals(Optional.of(List.of("contacts", "notes")), f.tables());
    assertEquals(SECRET, f.auth().jwtSecret().orElseThrow().reveal()); // trailing newline stripped
    assertEquals(Optional.of("org"), f.auth().tenantClaim());
    assertEquals(Optional.of("access"), f.auth().roleClaim());
    assertEquals(Optional.of(Duration.ofSeconds(30)), f.auth().leeway());
    assertEquals(Optional.of(false), f.auth().remoteAnonymous());
    assertEquals(Optional.of(Duration.ofMinutes(2)), f.tenants().idleTimeout());
    assertEquals(Optional.of(Duration.ofSeconds(45)), f.tenants().parkAfter());
    assertEquals(Optional.of(50), f.tenants().maxHot());
    assertEquals(Optional.of(1L << 30), f.tenants().diskBudget());
    assertEquals(Optional.of(Duration.ofSeconds(10)), f.tenants().leaseTtl());
    assertEquals(Optional.of(2), f.tenants().maxReaders());
    assertEquals(Optional.of(Duration.ofSeconds(3)), f.tenants().busyTimeout());
    assertEquals(Optional.of(64L << 20), f.importMaxBytes());
    assertEquals(Optional.of(1_000_000L), f.bodyMaxBytes());
    assertEquals(Optional.of(Duration.ofSeconds(5)), f.shutdownGrace());
    assertEquals(Optional.of(false), f.statusPage());
    assertEquals(Optional.of(true), f.metrics());
    assertFalse(f.toString().contains(SECRET), f.toString());
  }

  @Test
  void parseServe_emptyFile_allEmpty() throws Exception {
    assertEquals(ServeFile.EMPTY, parse(""));
    assertEquals(ServeFile.EMPTY, parse("# nothing\n"));
  }

  @Test
  void parseServe_envExpansion_secretFromEnvironment() throws Exception {
    ServeFile f = parse("auth:\n  jwt-secret: ${JWT}\nreplica: ${BASE}/t\n", Map.of("JWT", SECRET, "BASE", "/srv/b"));
    assertEquals(SECRET, f.auth().jwtSecret().orElseThrow().reveal());
    assertEquals(Optional.of("/srv/b/t"), f.replica()); // a bare path, kept absolute
  }

  @Test
  void parseServe_bareRelativeReplicaPath_resolvedAgainstWorkingDirectory() throws Exception {
    assertEquals(Optional.of("/srv/app/backups"), parse("replica: backups\n").replica());
  }

  @Test
  void parseServe_unknownKey_errorNamesKeyAndLine() {
    assertOneError("addr: 127.0.0.1:3000\nport: 3000\n", "serve.yml:2:", "unknown key 'port'");
    assertOneError("auth:\n  jwt-secret-fil: /x\n", "serve.yml:2:", "unknown key 'auth.jwt-secret-fil'",
        "did you mean 'jwt-secret-file'");
    assertOneError("tenants:\n  idle: 5m\n", "serve.yml:2:", "unknown key 'tenants.idle'");
    assertOneError("limits:\n  import-max: 5MiB\n", "serve.yml:2:", "unknown key 'limits.import-max'");
  }

  @Test
  void parseServe_badYaml_errorWithLine() {
    assertOneError("addr: [127.0.0.1\n", "serve.yml:", "invalid YAML");
    assertOneError("- a\n- b\n", "serve.yml:1:", "must be a mapping");
  }

  @Test
  void parseServe_wrongTypes_eachErrorNamesKey() {
    assertOneError("tenants:\n  max-hot: many\n", "serve.yml:2:", "tenants.max-hot", "invalid number \"many\"");
    assertOneError("tenants:\n  idle-timeout: soon\n", "serve.yml:2:", "tenants.idle-timeout", "invalid duration");
    assertOneError("tenants:\n  idle-timeout: 0s\n", "tenants.idle-timeout", "greater than 0");
    assertOneError("tenants:\n  park-after: -1s\n", "tenants.park-after", "0 or more");
    assertOneError("tenants:\n  lease-ttl: 100ms\n", "tenants.lease-ttl", "at least 600ms");
    assertOneError("tenants:\n  disk-budget: lots\n", "tenants.disk-budget", "invalid size");
    assertOneError("tenants:\n  max-readers: 0\n", "tenants.max-readers", "must be 1..");
    assertOneError("limits:\n  import-max-size: 0\n", "limits.import-max-size", "greater than 0");
    assertOneError("metrics: maybe\n", "serve.yml:1:", "metrics", "invalid boolean");
    assertOneError("tables: contacts\n", "tables", "expected a list");
    assertOneError("tables: [\"a;b\"]\n", "tables", "invalid table name");
    assertOneError("auth: yes\n", "auth", "expected a mapping");
    assertOneError("addr: 127.0.0.1\n", "addr", "invalid address");
    assertOneError("addr: 127.0.0.1:70000\n", "addr", "invalid address");
  }

  @Test
  void parseServe_badReplicaUrl_error() {
    assertOneError("replica: ftp://host/x\n", "serve.yml:1:", "replica", "unsupported replica URL scheme \"ftp\"");
    assertOneError("replica: \"s3://bad host/x\"\n", "serve.yml:1:", "replica");
  }

  @Test
  void parseServe_missingReferencedFiles_errorNamesKey() {
    assertOneError("schema: /nonexistent/schema.sql\n", "serve.yml:1:", "schema", "file not found");
    assertOneError("auth:\n  jwt-secret-file: /nonexistent/s\n", "serve.yml:2:", "auth.jwt-secret-file",
        "file not found");
    assertOneError("auth:\n  jwt-public-key-file: /nonexistent/k.pem\n", "auth.jwt-public-key-file", "file not found");
  }

  @Test
  void parseServe_badSecrets_errorWithoutTheSecret() throws Exception {
    List<String> errs = errors("auth:\n  jwt-secret: tooshort\n");
    assertEquals(1, errs.size(), errs.toString());
    assertTrue(errs.get(0).contains("at least 32 bytes, got 8"), errs.get(0));
    assertFalse(errs.get(0).contains("tooshort"), errs.get(0));
    Path s = Files.writeString(tmp.resolve("s"), SECRET);
    assertOneError("auth:\n  jwt-secret: " + SECRET + "\n  jwt-secret-file: " + s + "\n", "not both");
    Path pem = Files.writeString(tmp.resolve("k.pem"), "not a key");
    assertOneError("auth:\n  jwt-public-key-file: " + pem + "\n", "auth.jwt-public-key-file", "not a PEM public key");
  }

  @Test
  void parseServe_manyProblems_allReportedInFileOrder() {
    List<String> errs = errors("addr: nope\ntenants:\n  max-hot: x\nbogus: 1\n");
    assertEquals(3, errs.size(), errs.toString());
    assertTrue(errs.get(0).startsWith("serve.yml:1:"), errs.toString());
    assertTrue(errs.get(1).startsWith("serve.yml:3:"), errs.toString());
    assertTrue(errs.get(2).startsWith("serve.yml:4:"), errs.toString());
  }

  @Test
  void loadServe_missingFile_oneLineError() {
    List<String> errs = assertThrows(ConfigException.class,
        () -> ConfigTestSupport.loader(Map.of()).loadServe("/nonexistent/serve.yml", true)).problems();
    assertEquals(List.of("config file not found: /nonexistent/serve.yml (check the -config path)"), errs);
  }

  @Test
  void loadServe_exampleFileInDocs_parses() throws Exception {
    Path example = Path.of("..", "docs", "runnel-serve.example.yml");
    assertTrue(Files.exists(example), "docs/runnel-serve.example.yml is missing");
    ServeFile f = ConfigTestSupport.loader(Map.of("RUNNEL_JWT_SECRET", SECRET)).parseServe(Files.readString(example),
        "runnel-serve.example.yml", true);
    assertTrue(f.addr().isPresent() && f.tenants().idleTimeout().isPresent(), f.toString());
  }
}
