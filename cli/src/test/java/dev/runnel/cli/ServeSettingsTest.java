package dev.runnel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.config.ServeFile;
import dev.runnel.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Precedence of {@code runnel serve}'s settings: flag, then environment, then file, then default. */
class ServeSettingsTest {
  private static final String SECRET_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String SECRET_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  private static final ServeSettings.Flags NO_FLAGS = new ServeSettings.Flags(null, null, null, null, null, null, null);
  @TempDir Path tmp;

  private static ServeFile file(String addr, String data, String replica, List<String> tables, String secret) {
    return new ServeFile(Optional.ofNullable(addr), Optional.ofNullable(data).map(Path::of),
        Optional.ofNullable(replica), Optional.of("CREATE TABLE f (x);"), Optional.ofNullable(tables),
        new ServeFile.Auth(Optional.ofNullable(secret).map(dev.runnel.config.Secret::new), Optional.empty(),
            Optional.of("org"), Optional.empty(), Optional.of(Duration.ofSeconds(7)), Optional.empty()),
        new ServeFile.Tenants(Optional.of(Duration.ofMinutes(2)), Optional.of(Duration.ZERO), Optional.of(10),
            Optional.of(1000L), Optional.of(Duration.ofSeconds(9)), Optional.of(3), Optional.of(Duration.ofSeconds(4))),
        Optional.of(1234L), Optional.of(567L), Optional.of(Duration.ofSeconds(3)), Optional.of(false), Optional.empty(),
        List.of());
  }

  @Test
  void resolve_nothingConfigured_loopbackDefaultsAndExampleSchema() throws Exception {
    ServeSettings s = ServeSettings.resolve(NO_FLAGS, Map.of(), ServeFile.EMPTY, false);
    ServerConfig c = s.config();
    assertEquals("127.0.0.1", c.bindAddress());
    assertEquals(3000, c.port());
    assertEquals(Path.of("runnel-data"), c.dataDir());
    assertTrue(c.effectiveReplicaBase().endsWith("/runnel-data/replica"), c.effectiveReplicaBase());
    assertNull(c.jwt());
    assertFalse(c.remoteAnonymous());
    assertTrue(s.exampleSchema());
    assertEquals(ServeSettings.EXAMPLE_SCHEMA, c.tenantSchema());
    assertEquals(ServerConfig.Endpoints.ALL, c.endpoints());
  }

  @Test
  void resolve_configFileOrReplicaGiven_noExampleSchema() throws Exception {
    assertFalse(ServeSettings.resolve(NO_FLAGS, Map.of(), ServeFile.EMPTY, true).exampleSchema());
    assertNull(ServeSettings.resolve(NO_FLAGS, Map.of(), ServeFile.EMPTY, true).config().tenantSchema());
    ServeSettings s = ServeSettings.resolve(NO_FLAGS, Map.of("RUNNEL_REPLICA", "s3://b/t"), ServeFile.EMPTY, false);
    assertFalse(s.exampleSchema());
    assertNull(s.config().tenantSchema());
  }

  @Test
  void resolve_fileOnly_fileWinsOverDefaults() throws Exception {
    ServerConfig c = ServeSettings.resolve(NO_FLAGS, Map.of(),
        file("0.0.0.0:8081", "/f/data", "file:///f/replica", List.of("a", "b"), SECRET_A), true).config();
    assertEquals("0.0.0.0", c.bindAddress());
    assertEquals(8081, c.port());
    assertEquals(Path.of("/f/data"), c.dataDir());
    assertEquals("file:///f/replica", c.effectiveReplicaBase());
    assertEquals("CREATE TABLE f (x);", c.tenantSchema());
    assertEquals(Set.of("a", "b"), c.exposedTables());
    assertArrayEquals(SECRET_A.getBytes(StandardCharsets.UTF_8), c.jwt().hs256Secret());
    assertEquals("org", c.jwt().tenantClaim());
    assertEquals(Duration.ofSeconds(7), c.jwt().leeway());
    assertEquals(Duration.ofMinutes(2), c.tenantOptions().idleTimeout());
    assertFalse(c.tenantOptions().parkingEnabled(), "park-after: 0s turns parking off");
    assertEquals(10, c.tenantOptions().maxHotTenants());
    assertEquals(1000L, c.tenantOptions().diskBudgetBytes());
    assertEquals(Duration.ofSeconds(9), c.tenantOptions().leaseTtl());
    assertEquals(3, c.tenantOptions().maxReaders());
    assertEquals(Duration.ofSeconds(4), c.tenantOptions().busyTimeout());
    assertEquals(1234L, c.importMaxBytes());
    assertEquals(567L, c.maxBodyBytes());
    assertEquals(Duration.ofSeconds(3), c.shutdownGrace());
    assertEquals(new ServerConfig.Endpoints(false, true), c.endpoints());
  }

  @Test
  void resolve_envOverFile_flagsOverEnv() throws Exception {
    Path schema = Files.writeString(tmp.resolve("s.sql"), "CREATE TABLE e (y);");
    ServeFile f = file("0.0.0.0:8081", "/f/data", "file:///f/replica", List.of("a"), SECRET_A);
    Map<String, String> env = Map.of("RUNNEL_ADDR", "127.0.0.1:8082", "RUNNEL_DATA", "/e/data", "RUNNEL_REPLICA",
        "file:///e/replica", "RUNNEL_SCHEMA", schema.toString(), "RUNNEL_TABLES", "c, d", "RUNNEL_JWT_SECRET", SECRET_B);
    ServerConfig c = ServeSettings.resolve(NO_FLAGS, env, f, true).config();
    assertEquals(8082, c.port());
    assertEquals(Path.of("/e/data"), c.dataDir());
    assertEquals("file:///e/replica", c.effectiveReplicaBase());
    assertEquals("CREATE TABLE e (y);", c.tenantSchema());
    assertEquals(Set.of("c", "d"), c.exposedTables());
    assertArrayEquals(SECRET_B.getBytes(StandardCharsets.UTF_8), c.jwt().hs256Secret());
    assertEquals("org", c.jwt().tenantClaim()); // claims only come from the file

    Path secretFile = Files.writeString(tmp.resolve("secret"), "  " + SECRET_A + "x\n");
    ServeSettings.Flags flags = new ServeSettings.Flags("127.0.0.1:8083", Path.of("/g/data"), "file:///g/replica",
        null, "z", secretFile, null);
    c = ServeSettings.resolve(flags, env, f, true).config();
    assertEquals(8083, c.port());
    assertEquals(Path.of("/g/data"), c.dataDir());
    assertEquals("file:///g/replica", c.effectiveReplicaBase());
    assertEquals(Set.of("z"), c.exposedTables());
    assertArrayEquals((SECRET_A + "x").getBytes(StandardCharsets.UTF_8), c.jwt().hs256Secret());
  }

  @Test
  void resolve_secretFileFromEnvironment_usedWhenNoInlineSecret() throws Exception {
    Path secretFile = Files.writeString(tmp.resolve("secret"), SECRET_B + "\n");
    ServerConfig c = ServeSettings.resolve(NO_FLAGS, Map.of("RUNNEL_JWT_SECRET_FILE", secretFile.toString()),
        file(null, null, null, null, SECRET_A), true).config();
    assertArrayEquals(SECRET_B.getBytes(StandardCharsets.UTF_8), c.jwt().hs256Secret());
  }

  @Test
  void resolve_badValues_cliErrorsWithoutSecrets() {
    CliException e = assertThrows(CliException.class,
        () -> ServeSettings.resolve(NO_FLAGS, Map.of("RUNNEL_JWT_SECRET", "short-secret"), ServeFile.EMPTY, false));
    assertTrue(e.getMessage().contains("at least 32 bytes, got 12"), e.getMessage());
    assertFalse(e.getMessage().contains("short-secret"), e.getMessage());
    e = assertThrows(CliException.class,
        () -> ServeSettings.resolve(NO_FLAGS, Map.of("RUNNEL_REPLICA", "gopher://x/y"), ServeFile.EMPTY, false));
    assertTrue(e.getMessage().contains("unsupported replica URL scheme \"gopher\""), e.getMessage());
    e = assertThrows(CliException.class,
        () -> ServeSettings.resolve(NO_FLAGS, Map.of("RUNNEL_ADDR", "localhost:99999"), ServeFile.EMPTY, false));
    assertTrue(e.getMessage().contains("invalid -addr"), e.getMessage());
    e = assertThrows(CliException.class, () -> ServeSettings.resolve(NO_FLAGS,
        Map.of("RUNNEL_SCHEMA", tmp.resolve("missing.sql").toString()), ServeFile.EMPTY, false));
    assertTrue(e.getMessage().contains("schema file not found"), e.getMessage());
    e = assertThrows(CliException.class, () -> ServeSettings.resolve(new ServeSettings.Flags(null, null, null, null,
        null, null, Files.writeString(tmp.resolve("k.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")),
        Map.of(), ServeFile.EMPTY, false));
    assertTrue(e.getMessage().contains("not a valid RSA public key"), e.getMessage());
  }
}
