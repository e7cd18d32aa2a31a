package dev.runnel.server;

import static dev.runnel.server.ServerTesting.enc;
import static dev.runnel.server.ServerTesting.get;
import static dev.runnel.server.ServerTesting.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.server.ServerTesting.Res;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgREST query language and responses, over real HTTP. Each test uses a fresh tenant. */
class RestApiTest {
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

  /** A new tenant with five people. */
  static String seeded() {
    String t = "t" + SEQ.incrementAndGet();
    Res r = send(server, "POST", "/t/" + t + "/people", """
        [{"id":1,"name":"Alice","email":"alice@example.com","age":34,"active":true,"score":9.5,"meta":{"k":[1,2]}},
         {"id":2,"name":"bob","email":"bob@example.com","age":17,"active":false,"score":null,"meta":null},
         {"id":3,"name":"Carol","email":"carol@example.org","age":null,"active":true,"score":7.25,"meta":null},
         {"id":4,"name":"Dave*Star","email":null,"age":51,"active":null,"score":3,"meta":null},
         {"id":5,"name":"Émile","email":"emile@example.fr","age":29,"active":false,"score":8,"meta":null}]""");
    assertEquals(201, r.status(), r.body());
    return t;
  }

  static List<Object> ids(Res r) {
    assertEquals(200, r.status(), r.body());
    return r.rows().stream().map(m -> m.get("id")).toList();
  }

  static List<Object> idsWhere(String t, String query) {
    return ids(get(server, "/t/" + t + "/people?select=id&order=id&" + query));
  }

  @Test
  void get_noFilters_returnsAllRowsWithTypes() {
    String t = seeded();
    Res r = get(server, "/t/" + t + "/people?order=id");
    assertEquals(200, r.status());
    assertTrue(r.header("Content-Type").startsWith("application/json"));
    assertEquals("0-4/*", r.header("Content-Range"));
    List<Map<String, Object>> rows = r.rows();
    assertEquals(5, rows.size());
    Map<String, Object> a = rows.get(0);
    assertEquals(1L, a.get("id"));
    assertEquals("Alice", a.get("name"));
    assertEquals(true, a.get("active"));
    assertEquals(new java.math.BigDecimal("9.5"), a.get("score"));
    assertEquals(Map.of("k", List.of(1L, 2L)), a.get("meta"));
    assertEquals(false, rows.get(1).get("active"));
    assertNull(rows.get(1).get("score"));
  }

  @Test
  void filter_comparisonOperators_matchPostgrest() {
    String t = seeded();
    assertEquals(List.of(2L), idsWhere(t, "name=eq.bob"));
    assertEquals(List.of(1L, 2L, 4L, 5L), idsWhere(t, "age=neq.999"));
    assertEquals(List.of(1L, 4L), idsWhere(t, "age=gt.29"));
    assertEquals(List.of(1L, 4L, 5L), idsWhere(t, "age=gte.29"));
    assertEquals(List.of(2L), idsWhere(t, "age=lt.29"));
    assertEquals(List.of(2L, 5L), idsWhere(t, "age=lte.29"));
    assertEquals(List.of(1L), idsWhere(t, "age=gt.20&age=lt.40&score=gt.9"));
    assertEquals(List.of(1L, 3L), idsWhere(t, "active=eq.true"));
    assertEquals(List.of(4L), idsWhere(t, "score=eq.3"));
  }

  @Test
  void filter_likeIsCaseSensitive_ilikeIsNot() {
    String t = seeded();
    assertEquals(List.of(3L), idsWhere(t, "name=like.C*"));
    assertEquals(List.of(), idsWhere(t, "name=like.c*"));
    assertEquals(List.of(3L), idsWhere(t, "name=ilike.c*"));
    assertEquals(List.of(2L), idsWhere(t, "name=like.b%25")); // % is a wildcard too
    assertEquals(List.of(2L), idsWhere(t, "name=like.b_b"));
    assertEquals(List.of(1L, 2L, 3L), idsWhere(t, "email=like.*example.*&email=not.like.*.fr"));
    // Non-ASCII case folding: SQLite's LIKE would not match É with é.
    assertEquals(List.of(5L), idsWhere(t, "name=ilike." + enc("é*")));
    assertEquals(List.of(), idsWhere(t, "name=like." + enc("é*")));
    // A literal * needs an escape; unescaped it is a wildcard.
    assertEquals(List.of(4L), idsWhere(t, "name=like." + enc("Dave\\*Star")));
    assertEquals(List.of(), idsWhere(t, "name=like." + enc("Dave\\*")));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), idsWhere(t, "name=ilike.*"));
  }

  @Test
  void filter_inIsAndNot_work() {
    String t = seeded();
    assertEquals(List.of(1L, 3L), idsWhere(t, "id=in.(1,3,99)"));
    assertEquals(List.of(2L, 3L), idsWhere(t, "name=in." + enc("(bob,\"Carol\",\"x,y\")")));
    assertEquals(List.of(), idsWhere(t, "id=in.()"));
    assertEquals(List.of(2L, 4L, 5L), idsWhere(t, "id=not.in.(1,3)"));
    assertEquals(List.of(3L), idsWhere(t, "age=is.null"));
    assertEquals(List.of(1L, 2L, 4L, 5L), idsWhere(t, "age=not.is.null"));
    assertEquals(List.of(1L, 3L), idsWhere(t, "active=is.true"));
    assertEquals(List.of(2L, 5L), idsWhere(t, "active=is.false"));
    assertEquals(List.of(1L, 3L, 4L), idsWhere(t, "active=not.is.false"));
    assertEquals(List.of(1L, 3L, 4L, 5L), idsWhere(t, "name=not.eq.bob"));
  }

  @Test
  void filter_orAndNested_work() {
    String t = seeded();
    assertEquals(List.of(2L, 4L), idsWhere(t, "or=" + enc("(age.lt.18,age.gt.50)")));
    assertEquals(List.of(1L, 2L, 4L), idsWhere(t, "or=" + enc("(age.lt.18,and(age.gt.30,score.gt.9),id.eq.4)")));
    // NULL ages are neither: NOT (NULL OR NULL) is NULL, as in PostgreSQL.
    assertEquals(List.of(1L, 5L), idsWhere(t, "not.or=" + enc("(age.lt.18,age.gt.50)")));
    assertEquals(List.of(1L), idsWhere(t, "and=" + enc("(age.gt.18,or(name.eq.Alice,name.eq.Nobody))")));
    assertEquals(List.of(3L, 5L), idsWhere(t, "or=" + enc("(age.is.null,name.ilike.*mile)")));
    assertEquals(List.of(2L, 3L), idsWhere(t, "or=" + enc("(name.in.(bob,Carol),id.eq.999)")));
    assertEquals(List.of(1L, 2L), idsWhere(t, "or=" + enc("(name.eq.\"Alice\",email.eq.\"bob@example.com\")")));
    assertEquals(List.of(1L, 5L), idsWhere(t, "or=" + enc("(age.not.lt.29,id.eq.999)") + "&age=lt.50"));
  }

  @Test
  void select_columnsRenamesAndCasts() {
    String t = seeded();
    Res r = get(server, "/t/" + t + "/people?select=" + enc("who:name, id,years:age::text") + "&id=eq.1");
    assertEquals(200, r.status(), r.body());
    Map<String, Object> row = r.rows().get(0);
    assertEquals(List.of("who", "id", "years"), List.copyOf(row.keySet()));
    assertEquals("Alice", row.get("who"));
    assertEquals("34", row.get("years"));
    Res quoted = get(server, "/t/" + t + "/people?select=" + enc("\"name\"") + "&id=eq.2");
    assertEquals(List.of(Map.of("name", "bob")), quoted.rows());
  }

  @Test
  void order_directionsAndNulls() {
    String t = seeded();
    assertEquals(List.of(2L, 5L, 1L, 4L, 3L), ids(get(server, "/t/" + t + "/people?select=id&order=age")));
    assertEquals(List.of(3L, 4L, 1L, 5L, 2L), ids(get(server, "/t/" + t + "/people?select=id&order=age.desc")));
    assertEquals(List.of(3L, 2L, 5L, 1L, 4L), ids(get(server, "/t/" + t + "/people?select=id&order=age.asc.nullsfirst")));
    assertEquals(List.of(4L, 1L, 5L, 2L, 3L), ids(get(server, "/t/" + t + "/people?select=id&order=age.desc.nullslast")));
    assertEquals(List.of(3L, 1L, 5L, 2L, 4L),
        ids(get(server, "/t/" + t + "/people?select=id&order=active.desc.nullslast,age.desc")));
  }

  @Test
  void limitOffsetRange_andCountExact() {
    String t = seeded();
    Res r = get(server, "/t/" + t + "/people?select=id&order=id&limit=2&offset=1");
    assertEquals(List.of(2L, 3L), ids(r));
    assertEquals("1-2/*", r.header("Content-Range"));
    Res c = get(server, "/t/" + t + "/people?select=id&order=id&limit=2", "Prefer", "count=exact");
    assertEquals(206, c.status());
    assertEquals("0-1/5", c.header("Content-Range"));
    Res all = get(server, "/t/" + t + "/people?select=id", "Prefer", "count=exact");
    assertEquals(200, all.status());
    assertEquals("0-4/5", all.header("Content-Range"));
    Res range = get(server, "/t/" + t + "/people?select=id&order=id", "Range", "3-4", "Range-Unit", "items");
    assertEquals(List.of(4L, 5L), range.rows().stream().map(m -> m.get("id")).toList());
    assertEquals("3-4/*", range.header("Content-Range"));
    Res open = get(server, "/t/" + t + "/people?select=id&order=id", "Range", "4-");
    assertEquals(List.of(5L), open.rows().stream().map(m -> m.get("id")).toList());
    Res empty = get(server, "/t/" + t + "/people?select=id&id=eq.999", "Prefer", "count=exact");
    assertEquals("*/0", empty.header("Content-Range"));
    Res beyond = get(server, "/t/" + t + "/people?select=id&offset=10", "Prefer", "count=exact");
    assertEquals(416, beyond.status());
    assertEquals("PGRST103", beyond.obj().get("code"));
    Res head = send(server, "HEAD", "/t/" + t + "/people?age=gt.20", null, "Prefer", "count=exact");
    assertEquals(200, head.status());
    assertEquals("", head.body());
    assertEquals("0-2/3", head.header("Content-Range"));
  }

  @Test
  void post_representationMinimalAndBulk() {
    String t = seeded();
    Res min = send(server, "POST", "/t/" + t + "/people", "{\"id\":10,\"name\":\"Zed\"}");
    assertEquals(201, min.status());
    assertEquals("", min.body());
    Res rep = send(server, "POST", "/t/" + t + "/people?select=id,name", "[{\"id\":11,\"name\":\"Y\"},{\"id\":12,\"name\":\"X\"}]",
        "Prefer", "return=representation");
    assertEquals(201, rep.status());
    assertEquals(List.of(Map.of("id", 11L, "name", "Y"), Map.of("id", 12L, "name", "X")), rep.rows());
    assertTrue(rep.header("Preference-Applied").contains("return=representation"));
    // columns= lets objects differ; missing keys become NULL, or the default with missing=default.
    Res cols = send(server, "POST", "/t/" + t + "/tags?columns=" + enc("\"k\",\"v\",\"n\""),
        "[{\"k\":\"a\",\"v\":\"1\"},{\"k\":\"b\",\"n\":3}]", "Prefer", "return=representation");
    assertEquals(201, cols.status(), cols.body());
    assertEquals(null, cols.rows().get(0).get("n"));
    Res def = send(server, "POST", "/t/" + t + "/tags?columns=" + enc("\"k\",\"v\",\"n\""),
        "[{\"k\":\"c\",\"v\":\"1\"}]", "Prefer", "return=representation,missing=default");
    assertEquals(7L, def.rows().get(0).get("n"));
    Res mismatch = send(server, "POST", "/t/" + t + "/tags", "[{\"k\":\"d\"},{\"k\":\"e\",\"v\":\"x\"}]");
    assertEquals(400, mismatch.status());
    assertEquals("PGRST102", mismatch.obj().get("code"));
    assertEquals(List.of(), idsWhere(t, "id=eq.13"));
  }

  @Test
  void post_upsertMergeAndIgnore() {
    String t = seeded();
    Res merge = send(server, "POST", "/t/" + t + "/people?select=id,name,age",
        "[{\"id\":1,\"name\":\"Alice B\",\"age\":35},{\"id\":20,\"name\":\"New\",\"age\":1}]",
        "Prefer", "resolution=merge-duplicates, return=representation");
    assertEquals(201, merge.status(), merge.body());
    assertEquals(2, merge.rows().size());
    assertEquals("Alice B", get(server, "/t/" + t + "/people?select=name&id=eq.1").rows().get(0).get("name"));
    Res ignore = send(server, "POST", "/t/" + t + "/people?select=id",
        "[{\"id\":2,\"name\":\"ignored\"},{\"id\":21,\"name\":\"Newer\"}]",
        "Prefer", "resolution=ignore-duplicates", "Prefer", "return=representation");
    assertEquals(201, ignore.status(), ignore.body());
    assertEquals(List.of(Map.of("id", 21L)), ignore.rows());
    assertEquals("bob", get(server, "/t/" + t + "/people?select=name&id=eq.2").rows().get(0).get("name"));
    // on_conflict on a unique column.
    Res oc = send(server, "POST", "/t/" + t + "/people?on_conflict=email&select=id,name",
        "{\"email\":\"carol@example.org\",\"name\":\"Caroline\"}", "Prefer",
        "resolution=merge-duplicates,return=representation");
    assertEquals(List.of(Map.of("id", 3L, "name", "Caroline")), oc.rows());
    Res bad = send(server, "POST", "/t/" + t + "/people?on_conflict=name", "{\"name\":\"x\"}", "Prefer",
        "resolution=merge-duplicates");
    assertEquals(400, bad.status());
    assertEquals("42P10", bad.obj().get("code"));
    Res dup = send(server, "POST", "/t/" + t + "/people", "{\"id\":1,\"name\":\"dup\"}");
    assertEquals(409, dup.status());
    assertEquals("23505", dup.obj().get("code"));
  }

  @Test
  void patchAndDelete_withFilters() {
    String t = seeded();
    Res p = send(server, "PATCH", "/t/" + t + "/people?age=lt.30&select=id,active", "{\"active\":true}",
        "Prefer", "return=representation");
    assertEquals(200, p.status(), p.body());
    assertEquals(List.of(Map.of("id", 2L, "active", true), Map.of("id", 5L, "active", true)), p.rows());
    Res pm = send(server, "PATCH", "/t/" + t + "/people?id=eq.1", "{\"meta\":{\"x\":\"y\"}}");
    assertEquals(204, pm.status());
    assertEquals(Map.of("x", "y"), get(server, "/t/" + t + "/people?select=meta&id=eq.1").rows().get(0).get("meta"));
    Res d = send(server, "DELETE", "/t/" + t + "/people?id=in.(4,5)", null, "Prefer", "return=representation,count=exact");
    assertEquals(200, d.status());
    assertEquals(2, d.rows().size());
    assertEquals("0-1/2", d.header("Content-Range"));
    Res dm = send(server, "DELETE", "/t/" + t + "/people?id=eq.3", null);
    assertEquals(204, dm.status());
    assertEquals(List.of(1L, 2L), idsWhere(t, "id=gt.0"));
    Res nn = send(server, "PATCH", "/t/" + t + "/people?id=eq.1", "{\"name\":null}");
    assertEquals(400, nn.status());
    assertEquals("23502", nn.obj().get("code"));
  }

  @Test
  void singular_oneRow200_otherwise406AndRolledBack() {
    String t = seeded();
    String obj = "application/vnd.pgrst.object+json";
    Res one = get(server, "/t/" + t + "/people?select=id,name&id=eq.1", "Accept", obj);
    assertEquals(200, one.status());
    assertEquals(Map.of("id", 1L, "name", "Alice"), one.obj());
    Res many = get(server, "/t/" + t + "/people?select=id", "Accept", obj);
    assertEquals(406, many.status());
    assertEquals("PGRST116", many.obj().get("code"));
    assertEquals(406, get(server, "/t/" + t + "/people?id=eq.99", "Accept", obj).status());
    // A mutation that would return several rows as an object is rolled back.
    Res upd = send(server, "PATCH", "/t/" + t + "/people?age=gt.0", "{\"name\":\"same\"}", "Accept", obj,
        "Prefer", "return=representation");
    assertEquals(406, upd.status());
    assertEquals(List.of(), idsWhere(t, "name=eq.same"));
    Res stripped = get(server, "/t/" + t + "/people?select=id,age&id=eq.3", "Accept", obj + ";nulls=stripped");
    assertEquals(Map.of("id", 3L), stripped.obj());
    assertEquals(406, get(server, "/t/" + t + "/people", "Accept", "text/csv").status());
  }

  @Test
  void errors_haveShapeAndCodes() {
    String t = seeded();
    Res table = get(server, "/t/" + t + "/nope");
    assertEquals(404, table.status());
    Map<String, Object> e = table.obj();
    assertEquals(List.of("code", "message", "details", "hint"), List.copyOf(e.keySet()));
    assertEquals("PGRST205", e.get("code"));
    Res col = get(server, "/t/" + t + "/people?nope=eq.1");
    assertEquals(400, col.status());
    assertEquals("42703", col.obj().get("code"));
    assertEquals(400, get(server, "/t/" + t + "/people?select=nope").status());
    assertEquals(400, get(server, "/t/" + t + "/people?order=nope.desc").status());
    assertEquals(400, get(server, "/t/" + t + "/people?id=xx.1").status());
    assertEquals(400, get(server, "/t/" + t + "/people?id=eq").status());
    assertEquals(400, get(server, "/t/" + t + "/people?limit=-1").status());
    assertEquals(400, get(server, "/t/" + t + "/people?order=id.sideways").status());
    assertEquals(400, get(server, "/t/" + t + "/people?select=other(*)").status());
    Res body = send(server, "POST", "/t/" + t + "/people", "{\"id\":1,}");
    assertEquals(400, body.status());
    assertEquals("PGRST102", body.obj().get("code"));
    Res key = send(server, "POST", "/t/" + t + "/people", "{\"nope\":1}");
    assertEquals(400, key.status());
    assertEquals("PGRST204", key.obj().get("code"));
    assertEquals(415, send(server, "POST", "/t/" + t + "/people", "id=1", "Content-Type", "text/plain").status());
    assertEquals(405, send(server, "PUT", "/t/" + t + "/people", "{}").status());
    assertEquals(404, get(server, "/nothing").status());
    assertEquals(400, get(server, "/t/bad..id/people").status());
    Res check = send(server, "POST", "/t/" + t + "/contacts", "{\"name\":\"n\",\"age\":-1}");
    assertEquals(400, check.status());
    assertEquals("23514", check.obj().get("code"));
  }

  @Test
  void views_areReadable_internalTablesAreNot() {
    String t = seeded();
    Res v = get(server, "/t/" + t + "/adults?select=id&order=id");
    assertEquals(List.of(1L, 4L, 5L), v.rows().stream().map(m -> m.get("id")).toList());
    assertEquals(404, get(server, "/t/" + t + "/sqlite_master").status());
    assertEquals(404, get(server, "/t/" + t + "/_litestream_seq").status());
    Res list = get(server, "/t/" + t + "/");
    assertEquals(200, list.status());
    @SuppressWarnings("unchecked")
    List<Object> tables = (List<Object>) list.obj().get("tables");
    assertTrue(tables.containsAll(List.of("people", "contacts", "tags", "adults")), tables.toString());
    assertFalse(tables.stream().anyMatch(x -> x.toString().startsWith("sqlite_")));
  }

  @Test
  void durable_returnsReplicatedTxid() {
    String t = seeded();
    Res r = send(server, "POST", "/t/" + t + "/people", "{\"id\":30,\"name\":\"D\"}", "Prefer", "durable");
    assertEquals(201, r.status());
    String txid = r.header("Runnel-Txid");
    assertNotNull(txid);
    assertEquals(16, txid.length());
    assertTrue(Long.parseLong(txid, 16) >= 2);
  }

  @Test
  void txRollback_leavesNoTrace() {
    String t = seeded();
    Res r = send(server, "POST", "/t/" + t + "/people?select=id", "{\"id\":40,\"name\":\"R\"}", "Prefer",
        "return=representation,tx=rollback");
    assertEquals(201, r.status());
    assertEquals(1, r.rows().size());
    assertEquals(List.of(), idsWhere(t, "id=eq.40"));
  }

  @Test
  void metricsAndHealth_answer() {
    seeded();
    Res m = get(server, "/metrics");
    assertEquals(200, m.status());
    assertTrue(m.body().contains("runnel_http_requests_total{method=\"POST\",route=\"/t/{tenant}/{table}\",status=\"201\"}"),
        m.body());
    assertTrue(m.body().contains("runnel_tenants_hot "));
    assertTrue(m.body().contains("runnel_tenants_parked 0"), m.body());
    assertTrue(m.body().contains("runnel_tenant_unparks_total 0"), m.body());
    assertTrue(m.body().contains("litestream_replica_lag_seconds{"));
    assertTrue(m.body().contains("runnel_http_request_duration_seconds_bucket{"));
    assertEquals(200, get(server, "/healthz").status());
    assertEquals(200, get(server, "/readyz").status());
  }
}
