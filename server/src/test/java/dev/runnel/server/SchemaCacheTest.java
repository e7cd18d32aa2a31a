package dev.runnel.server;

import static dev.runnel.server.ServerTesting.get;
import static dev.runnel.server.ServerTesting.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.server.ServerTesting.Res;
import dev.runnel.tenant.TenantHandle;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema cache never serves a stale schema: DDL by another connection, a dropped table, a
 * tenant replaced under the same name, and it stays bounded. Through real HTTP where the server
 * is involved, and on plain SQLite connections for the cache's keying.
 */
class SchemaCacheTest {
  @TempDir static Path tmp;
  static RunnelServer server;
  static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = RunnelServer.start(ServerTesting.config(tmp));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String tenant() {
    String t = "sc" + SEQ.incrementAndGet();
    Res r = send(server, "POST", "/t/" + t + "/people", "{\"id\":1,\"name\":\"Alice\"}");
    assertEquals(201, r.status(), r.body());
    return t;
  }

  /** DDL on the tenant's writer connection: not the reader connections whose schemas are cached. */
  private static void ddl(String t, String sql) throws Exception {
    try (TenantHandle h = server.tenants().acquire(t); Statement st = h.writer().createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private static long hits() {
    return server.schemas.hitsAndMisses()[0];
  }

  @Test
  void get_repeated_servedFromCache() {
    String t = tenant();
    assertEquals(200, get(server, "/t/" + t + "/people?select=id,name").status());
    long before = hits();
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get(server, "/t/" + t + "/people?select=id,name&id=eq.1").status());
    }
    assertTrue(hits() - before >= 5, "hits grew by " + (hits() - before));
  }

  @Test
  void alterTableAddColumn_byOtherConnection_nextGetSeesNewColumn() throws Exception {
    String t = tenant();
    Res missing = get(server, "/t/" + t + "/people?select=id,nick");
    assertEquals(400, missing.status(), missing.body());
    assertEquals("42703", missing.obj().get("code"));
    ddl(t, "ALTER TABLE people ADD COLUMN nick TEXT DEFAULT 'ally'");
    Res r = get(server, "/t/" + t + "/people?select=id,nick&nick=eq.ally");
    assertEquals(200, r.status(), r.body());
    assertEquals(List.of(Map.of("id", 1L, "nick", "ally")), r.rows());
    Res post = send(server, "POST", "/t/" + t + "/people?select=id,nick", "{\"id\":2,\"name\":\"Bo\",\"nick\":\"b\"}",
        "Prefer", "return=representation");
    assertEquals(201, post.status(), post.body());
    assertEquals(List.of(Map.of("id", 2L, "nick", "b")), post.rows());
  }

  @Test
  void dropColumn_byOtherConnection_nextGetRejectsIt() throws Exception {
    String t = tenant();
    ddl(t, "ALTER TABLE people ADD COLUMN extra TEXT");
    assertEquals(200, get(server, "/t/" + t + "/people?select=id,extra").status());
    ddl(t, "ALTER TABLE people DROP COLUMN extra");
    Res r = get(server, "/t/" + t + "/people?select=id,extra");
    assertEquals(400, r.status(), r.body());
    assertEquals("42703", r.obj().get("code"));
  }

  @Test
  void dropTable_byOtherConnection_nextGet404WithPostgrestError() throws Exception {
    String t = tenant();
    assertEquals(200, get(server, "/t/" + t + "/tags").status());
    ddl(t, "DROP TABLE tags");
    Res r = get(server, "/t/" + t + "/tags");
    assertEquals(404, r.status(), r.body());
    Map<String, Object> e = r.obj();
    assertEquals(List.of("code", "message", "details", "hint"), List.copyOf(e.keySet()));
    assertEquals("PGRST205", e.get("code"));
    Res post = send(server, "POST", "/t/" + t + "/tags", "{\"k\":\"a\"}");
    assertEquals(404, post.status(), post.body());
  }

  @Test
  void createTable_byOtherConnection_nextGetFindsIt() throws Exception {
    String t = tenant();
    assertEquals(404, get(server, "/t/" + t + "/later").status());
    ddl(t, "CREATE TABLE later (id INTEGER PRIMARY KEY, v TEXT)");
    Res r = get(server, "/t/" + t + "/later?select=id,v");
    assertEquals(200, r.status(), r.body());
    assertEquals(List.of(), r.rows());
  }

  @Test
  void tenantEvictedAndReplaced_sameName_newSchemaServed() throws Exception {
    String t = tenant();
    assertEquals(200, get(server, "/t/" + t + "/people?select=id,name").status());
    // Another database moves in under the same tenant id, with a different "people" table.
    Path other = tmp.resolve(t + "-other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE people (id INTEGER PRIMARY KEY, nick TEXT)");
      st.executeUpdate("INSERT INTO people VALUES (7, 'seven')");
    }
    assertTrue(server.tenants().evict(t), "evicted");
    server.tenants().importTenant(t, other, true);
    Res r = get(server, "/t/" + t + "/people?select=id,nick");
    assertEquals(200, r.status(), r.body());
    assertEquals(List.of(Map.of("id", 7L, "nick", "seven")), r.rows());
    assertEquals(400, get(server, "/t/" + t + "/people?select=id,name").status());
  }

  // ----------------------------------------------------------------------- the cache itself

  private static Connection open(Path db, String schema, int schemaVersion) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.executeUpdate(schema);
      // The worst case for a cache keyed by name and version: different schemas, equal versions.
      st.executeUpdate("PRAGMA schema_version = " + schemaVersion);
    }
    return c;
  }

  private static int version(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void load_twoDatabasesSameVersion_eachItsOwnSchema() throws Exception {
    SchemaCache cache = new SchemaCache(16);
    try (Connection a = open(tmp.resolve("a.db"), "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT)", 41);
        Connection b = open(tmp.resolve("b.db"), "CREATE TABLE p (id INTEGER PRIMARY KEY, nick TEXT)", 41)) {
      assertEquals(version(a), version(b));
      TableSchema sa = cache.load(a, "p", null);
      TableSchema sb = cache.load(b, "p", null);
      assertTrue(sa.columns.containsKey("name"));
      assertTrue(sb.columns.containsKey("nick"));
      assertTrue(!sb.columns.containsKey("name"));
      assertSame(sa, cache.load(a, "p", null), "unchanged schema: the cached object");
    }
  }

  @Test
  void load_schemaChangedOnSameConnection_reloaded() throws Exception {
    SchemaCache cache = new SchemaCache(16);
    try (Connection a = open(tmp.resolve("c.db"), "CREATE TABLE p (id INTEGER PRIMARY KEY)", 3)) {
      TableSchema first = cache.load(a, "p", null);
      a.createStatement().executeUpdate("ALTER TABLE p ADD COLUMN x TEXT");
      TableSchema second = cache.load(a, "p", null);
      assertNotSame(first, second);
      assertTrue(second.columns.containsKey("x"));
    }
  }

  @Test
  void load_notExposedOrMissing_404EvenIfCachedBefore() throws Exception {
    SchemaCache cache = new SchemaCache(16);
    try (Connection a = open(tmp.resolve("d.db"), "CREATE TABLE p (id INTEGER PRIMARY KEY)", 5)) {
      cache.load(a, "p", null);
      ApiException hidden = assertThrows(ApiException.class, () -> cache.load(a, "p", java.util.Set.of("q")));
      assertEquals(404, hidden.status());
      ApiException missing = assertThrows(ApiException.class, () -> cache.load(a, "zz", null));
      assertEquals(404, missing.status());
    }
  }

  @Test
  void load_manyConnections_sizeBounded() throws Exception {
    SchemaCache cache = new SchemaCache(8);
    for (int i = 0; i < 40; i++) {
      try (Connection c = open(tmp.resolve("many" + i + ".db"), "CREATE TABLE p (id INTEGER PRIMARY KEY)", 1)) {
        cache.load(c, "p", null);
        assertTrue(cache.size() <= 8, "size " + cache.size());
      }
    }
    assertEquals(8, cache.size());
    assertThrows(IllegalArgumentException.class, () -> new SchemaCache(0));
  }
}
