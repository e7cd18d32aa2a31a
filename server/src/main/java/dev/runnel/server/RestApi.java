package dev.runnel.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.runnel.ltx.TxId;
import dev.runnel.tenant.TenantDatabases;
import dev.runnel.tenant.TenantHandle;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The PostgREST-compatible table routes: {@code GET/HEAD/POST/PATCH/DELETE /t/{tenant}/{table}}.
 * Identifiers come from the tenant's schema, values are bound parameters.
 */
final class RestApi {
  private final TenantDatabases tenants;
  private final ServerConfig config;
  private final SchemaCache schemas;

  RestApi(TenantDatabases tenants, ServerConfig config, SchemaCache schemas) {
    this.tenants = tenants;
    this.config = config;
    this.schemas = schemas;
  }

  /** What a handled request produced (the caller writes it). */
  record Response(int status, Map<String, String> headers, byte[] body) {}

  /** Parsed {@code Prefer} header(s). */
  record Prefer(String returnPref, boolean countExact, String resolution, boolean missingDefault, boolean durable,
      boolean rollback, Set<String> applied) {
    static Prefer parse(Headers h) {
      String ret = null;
      boolean count = false;
      String res = null;
      boolean missing = false;
      boolean durable = false;
      boolean rollback = false;
      Set<String> applied = new LinkedHashSet<>();
      List<String> all = h.get("Prefer");
      if (all != null) {
        for (String line : all) {
          for (String tok : line.split(",")) {
            String t = tok.trim().toLowerCase(Locale.ROOT);
            switch (t) {
              case "return=representation", "return=minimal", "return=headers-only" -> {
                ret = t.substring(7);
                applied.add(t);
              }
              case "count=exact", "count=planned", "count=estimated" -> {
                count = true;
                applied.add(t);
              }
              case "resolution=merge-duplicates", "resolution=ignore-duplicates" -> {
                res = t.substring(11);
                applied.add(t);
              }
              case "missing=default" -> {
                missing = true;
                applied.add(t);
              }
              case "missing=null" -> applied.add(t);
              case "durable" -> {
                durable = true;
                applied.add(t);
              }
              case "tx=rollback" -> {
                rollback = true;
                applied.add(t);
              }
              case "tx=commit" -> applied.add(t);
              default -> {
                // Unknown preferences are ignored (PostgREST's lenient handling).
              }
            }
          }
        }
      }
      return new Prefer(ret, count, res, missing, durable, rollback, applied);
    }
  }

  /** Accept: array (default), singular object, nulls stripped. */
  record Accept(boolean singular, boolean stripNulls) {
    static Accept parse(String header) throws ApiException {
      if (header == null || header.isBlank()) {
        return new Accept(false, false);
      }
      boolean any = false;
      for (String item : header.split(",")) {
        String[] parts = item.trim().split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean strip = false;
        for (int i = 1; i < parts.length; i++) {
          if (parts[i].trim().equalsIgnoreCase("nulls=stripped")) {
            strip = true;
          }
        }
        switch (type) {
          case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object" -> {
            return new Accept(true, strip);
          }
          case "application/json", "application/vnd.pgrst.array+json", "application/vnd.pgrst.array" -> {
            return new Accept(false, strip);
          }
          case "*/*", "application/*" -> any = true;
          default -> {
            // keep looking
          }
        }
      }
      if (any) {
        return new Accept(false, false);
      }
      throw new ApiException(406, "PGRST107", "None of these media types are available: " + header, null,
          "Runnel serves application/json and application/vnd.pgrst.object+json");
    }
  }

  /**
   * Serves one table request.
   *
   * @param write whether the principal may write (checked here against the method)
   */
  Response handle(HttpExchange ex, String tenant, String table, List<Map.Entry<String, String>> params,
      boolean mayWrite) throws ApiException, IOException {
    String method = ex.getRequestMethod();
    boolean read = method.equals("GET") || method.equals("HEAD");
    if (!read && !method.equals("POST") && !method.equals("PATCH") && !method.equals("DELETE")) {
      throw new ApiException(405, "PGRST117", "Unsupported HTTP method: " + method).header("Allow",
          "GET, HEAD, POST, PATCH, DELETE");
    }
    if (!read && !mayWrite) {
      throw new ApiException(403, "42501", "permission denied for table " + table, null,
          "the token's role may only read");
    }
    Prefer prefer = Prefer.parse(ex.getRequestHeaders());
    Accept accept = Accept.parse(ex.getRequestHeaders().getFirst("Accept"));
    Object body = null;
    if (method.equals("POST") || method.equals("PATCH")) {
      body = readJsonBody(ex);
    }
    try (TenantHandle h = RunnelServer.acquire(tenants, tenant)) {
      if (read) {
        return select(h, table, params, ex.getRequestHeaders(), prefer, accept, method.equals("HEAD"));
      }
      return mutate(h, method, table, params, body, prefer, accept);
    } catch (SQLException e) {
      throw Errors.fromSql(e);
    }
  }

  private Object readJsonBody(HttpExchange ex) throws ApiException, IOException {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct != null) {
      String type = ct.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (!type.equals("application/json") && !type.isEmpty()) {
        throw new ApiException(415, "PGRST107", "Content-Type not acceptable: " + type, null,
            "send application/json (CSV goes to /t/{tenant}/{table}/import)");
      }
    }
    byte[] raw = RunnelServer.readBody(ex, config.maxBodyBytes());
    String text = new String(raw, StandardCharsets.UTF_8);
    try {
      return Json.parse(text);
    } catch (Json.ParseException e) {
      throw new ApiException(400, "PGRST102", "Empty or invalid json", e.getMessage(), null);
    }
  }

  // ----------------------------------------------------------------------------------- reads

  private Response select(TenantHandle h, String table, List<Map.Entry<String, String>> params, Headers headers,
      Prefer prefer, Accept accept, boolean head) throws SQLException, ApiException {
    try (Connection c = h.reader()) {
      TableSchema ts = schemas.load(c, table, config.exposedTables());
      Query q = Query.parse(ts, params);
      if (q.onConflict != null || q.columns != null) {
        throw ApiException.badRequest("on_conflict and columns apply to POST only");
      }
      long offset = q.offset;
      Long limit = q.limit;
      String range = headers.getFirst("Range");
      if (range != null && !q.hasOffset && limit == null) {
        long[] r = parseRange(range);
        offset = r[0];
        limit = r[1] < 0 ? null : r[1] - r[0] + 1;
      }
      Long total = null;
      if (prefer.countExact()) {
        StringBuilder cs = new StringBuilder("SELECT COUNT(*) FROM ").append(TableSchema.quote(ts.name));
        List<Object> cargs = new ArrayList<>();
        q.where(cs, cargs);
        try (PreparedStatement ps = c.prepareStatement(cs.toString())) {
          bind(ps, cargs);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
          }
        }
        if (offset > 0 && offset > total) {
          throw new ApiException(416, "PGRST103", "Requested range not satisfiable", "An offset of " + offset
              + " was requested, but there are only " + total + " rows.", null).header("Content-Range",
              "*/" + total);
        }
      }
      StringBuilder sql = new StringBuilder("SELECT ");
      List<Object> args = new ArrayList<>();
      selectList(sql, q);
      sql.append(" FROM ").append(TableSchema.quote(ts.name));
      q.where(sql, args);
      if (!q.order.isEmpty()) {
        sql.append(" ORDER BY ");
        for (int i = 0; i < q.order.size(); i++) {
          Query.Order o = q.order.get(i);
          if (i > 0) {
            sql.append(", ");
          }
          sql.append(TableSchema.quote(o.column().name())).append(o.desc() ? " DESC" : " ASC")
              .append(o.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
        }
      }
      if (limit != null || offset > 0) {
        sql.append(" LIMIT ? OFFSET ?");
        args.add(limit == null ? -1L : limit);
        args.add(offset);
      }
      List<Map<String, Object>> rows;
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          rows = readRows(rs, q);
        }
      }
      Map<String, String> out = new LinkedHashMap<>();
      String totalText = total == null ? "*" : Long.toString(total);
      out.put("Content-Range", rows.isEmpty() ? "*/" + totalText
          : offset + "-" + (offset + rows.size() - 1) + "/" + totalText);
      if (!prefer.applied().isEmpty() && prefer.countExact()) {
        out.put("Preference-Applied", "count=exact");
      }
      int status = 200;
      if (total != null && (offset > 0 || rows.size() < total) && !accept.singular()) {
        status = 206;
      }
      byte[] body = render(rows, accept, out);
      return new Response(status, out, head ? null : body);
    }
  }

  static long[] parseRange(String range) throws ApiException {
    String r = range.trim();
    if (r.startsWith("items=")) {
      r = r.substring(6);
    }
    int dash = r.indexOf('-');
    try {
      if (dash > 0) {
        long from = Long.parseLong(r.substring(0, dash).trim());
        String toText = r.substring(dash + 1).trim();
        long to = toText.isEmpty() ? -1 : Long.parseLong(toText);
        if (from >= 0 && (to < 0 || to >= from)) {
          return new long[] {from, to};
        }
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new ApiException(416, "PGRST103", "Requested range not satisfiable", "invalid Range header: " + range,
        "use Range: FROM-TO, e.g. 0-9");
  }

  private static void selectList(StringBuilder sql, Query q) {
    for (int i = 0; i < q.select.size(); i++) {
      Query.SelectItem s = q.select.get(i);
      if (i > 0) {
        sql.append(", ");
      }
      String col = TableSchema.quote(s.column().name());
      if (s.cast() != null) {
        sql.append("CAST(").append(col).append(" AS ").append(s.cast()).append(')');
      } else {
        sql.append(col);
      }
    }
  }

  private static List<Map<String, Object>> readRows(ResultSet rs, Query q) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        Query.SelectItem s = q.select.get(i);
        row.put(s.key(), value(rs, i + 1, s.cast() == null ? s.column() : null));
      }
      rows.add(row);
    }
    return rows;
  }

  /** A result value as JSON: booleans for boolean columns, JSON columns inline, blobs as {@code \x} hex. */
  private static Object value(ResultSet rs, int i, TableSchema.Column col) throws SQLException {
    Object v = rs.getObject(i);
    if (v == null) {
      return null;
    }
    if (col != null && col.isBoolean() && v instanceof Number n) {
      return n.longValue() != 0;
    }
    if (col != null && col.isJson() && v instanceof String s) {
      try {
        Json.parse(s);
        return new Json.RawJson(s);
      } catch (Json.ParseException e) {
        return s;
      }
    }
    if (v instanceof Integer x) {
      return x.longValue();
    }
    return v;
  }

  private static byte[] render(List<Map<String, Object>> rows, Accept accept, Map<String, String> headers)
      throws ApiException {
    if (accept.stripNulls()) {
      for (Map<String, Object> r : rows) {
        r.values().removeIf(java.util.Objects::isNull);
      }
    }
    Object out = rows;
    if (accept.singular()) {
      if (rows.size() != 1) {
        throw singularError(rows.size());
      }
      out = rows.get(0);
      headers.put("Content-Type", "application/vnd.pgrst.object+json; charset=utf-8");
    } else {
      headers.put("Content-Type", "application/json; charset=utf-8");
    }
    return Json.write(out).getBytes(StandardCharsets.UTF_8);
  }

  static ApiException singularError(int n) {
    return new ApiException(406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
        "The result contains " + n + " rows", null);
  }

  // ----------------------------------------------------------------------------------- writes

  private Response mutate(TenantHandle h, String method, String table, List<Map.Entry<String, String>> params,
      Object body, Prefer prefer, Accept accept) throws SQLException, ApiException, IOException {
    Connection c = h.writer();
    boolean representation = "representation".equals(prefer.returnPref());
    List<Map<String, Object>> rows = new ArrayList<>();
    long affected;
    boolean committed = false;
    TableSchema.beginImmediate(c);
    try {
      TableSchema ts = schemas.load(c, table, config.exposedTables());
      Query q = Query.parse(ts, params);
      if (!method.equals("POST") && (q.limit != null || q.hasOffset)) {
        throw ApiException.badRequest("limit and offset are not supported on " + method,
            "filter the rows to change instead");
      }
      affected = switch (method) {
        case "POST" -> insert(c, ts, q, body, prefer, representation, rows);
        case "PATCH" -> update(c, ts, q, body, representation, rows);
        default -> delete(c, ts, q, representation, rows);
      };
      if (accept.singular() && affected != 1) {
        throw singularError((int) affected);
      }
      if (prefer.rollback()) {
        c.rollback();
      } else {
        c.commit();
        committed = true;
      }
    } finally {
      if (!committed) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the connection is returned to the pool, which rolls back too
        }
      }
      c.setAutoCommit(true);
      c.close();
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (!prefer.applied().isEmpty()) {
      out.put("Preference-Applied", String.join(", ", prefer.applied()));
    }
    if (prefer.countExact()) {
      out.put("Content-Range", affected == 0 ? "*/0" : "0-" + (affected - 1) + "/" + affected);
    } else {
      out.put("Content-Range", affected == 0 ? "*/*" : "0-" + (affected - 1) + "/*");
    }
    if (prefer.durable() && committed) {
      TxId txid = h.sync();
      out.put("Runnel-Txid", txid.toString());
    }
    int status = method.equals("POST") ? 201 : (representation ? 200 : 204);
    if (!representation) {
      return new Response(status, out, null);
    }
    return new Response(status, out, render(rows, accept, out));
  }

  private static List<Map<String, Object>> bodyRows(Object body, String table) throws ApiException {
    List<Map<String, Object>> rows = new ArrayList<>();
    if (body instanceof Map<?, ?> m) {
      rows.add(castRow(m));
    } else if (body instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof Map<?, ?> m)) {
          throw new ApiException(400, "PGRST102", "All elements of a bulk insert must be JSON objects");
        }
        rows.add(castRow(m));
      }
    } else {
      throw new ApiException(400, "PGRST102", "Empty or invalid json", "expected a JSON object or array of objects",
          null);
    }
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castRow(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static ApiException unknownBodyColumn(TableSchema ts, String key) {
    return new ApiException(400, "PGRST204", "Could not find the '" + key + "' column of '" + ts.name
        + "' in the schema cache");
  }

  private long insert(Connection c, TableSchema ts, Query q, Object body, Prefer prefer, boolean representation,
      List<Map<String, Object>> out) throws SQLException, ApiException {
    List<Map<String, Object>> rows = bodyRows(body, ts.name);
    List<String> cols;
    if (q.columns != null) {
      cols = q.columns;
    } else {
      cols = rows.isEmpty() ? List.of() : new ArrayList<>(rows.get(0).keySet());
      Set<String> first = new HashSet<>(cols);
      for (Map<String, Object> r : rows) {
        if (!r.keySet().equals(first)) {
          throw new ApiException(400, "PGRST102", "All object keys must match", null,
              "send the columns parameter to insert objects with different keys");
        }
      }
    }
    for (String k : cols) {
      if (!ts.columns.containsKey(k)) {
        throw unknownBodyColumn(ts, k);
      }
    }
    String conflict = null;
    if (prefer.resolution() != null) {
      List<String> target = q.onConflict != null ? q.onConflict : ts.primaryKey;
      if (target.isEmpty()) {
        throw new ApiException(400, "42P10", "there is no unique or exclusion constraint matching the ON CONFLICT "
            + "specification", "table " + ts.name + " has no declared primary key", "pass on_conflict=COLUMNS");
      }
      StringBuilder cf = new StringBuilder(" ON CONFLICT (");
      for (int i = 0; i < target.size(); i++) {
        cf.append(i > 0 ? ", " : "").append(TableSchema.quote(target.get(i)));
      }
      cf.append(')');
      conflict = cf.toString();
    }
    Map<List<String>, PreparedStatement> stmts = new HashMap<>();
    long affected = 0;
    try {
      for (Map<String, Object> r : rows) {
        List<String> rowCols;
        if (prefer.missingDefault()) {
          rowCols = new ArrayList<>();
          for (String k : cols) {
            if (r.containsKey(k)) {
              rowCols.add(k);
            }
          }
        } else {
          rowCols = cols;
        }
        PreparedStatement ps = stmts.get(rowCols);
        if (ps == null) {
          ps = c.prepareStatement(insertSql(ts, rowCols, conflict, prefer.resolution(), representation ? q : null));
          stmts.put(rowCols, ps);
        }
        for (int i = 0; i < rowCols.size(); i++) {
          bindJson(ps, i + 1, ts.columns.get(rowCols.get(i)), r.get(rowCols.get(i)));
        }
        if (representation) {
          try (ResultSet rs = ps.executeQuery()) {
            List<Map<String, Object>> got = readRows(rs, q);
            out.addAll(got);
            affected += got.size();
          }
        } else {
          affected += ps.executeUpdate();
        }
      }
    } finally {
      for (PreparedStatement ps : stmts.values()) {
        ps.close();
      }
    }
    return affected;
  }

  private static String insertSql(TableSchema ts, List<String> cols, String conflict, String resolution,
      Query returning) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(TableSchema.quote(ts.name));
    if (cols.isEmpty()) {
      sql.append(" DEFAULT VALUES");
    } else {
      sql.append(" (");
      for (int i = 0; i < cols.size(); i++) {
        sql.append(i > 0 ? ", " : "").append(TableSchema.quote(cols.get(i)));
      }
      sql.append(") VALUES (");
      for (int i = 0; i < cols.size(); i++) {
        sql.append(i > 0 ? ", ?" : "?");
      }
      sql.append(')');
    }
    if (conflict != null) {
      if (cols.isEmpty()) {
        // DEFAULT VALUES cannot carry an upsert clause; a plain insert is what it can do.
      } else {
        sql.append(conflict);
        List<String> set = new ArrayList<>();
        if ("merge-duplicates".equals(resolution)) {
          for (String col : cols) {
            set.add(TableSchema.quote(col) + " = excluded." + TableSchema.quote(col));
          }
        }
        if (set.isEmpty()) {
          sql.append(" DO NOTHING");
        } else {
          sql.append(" DO UPDATE SET ").append(String.join(", ", set));
        }
      }
    }
    if (returning != null) {
      sql.append(" RETURNING ");
      selectList(sql, returning);
    }
    return sql.toString();
  }

  private long update(Connection c, TableSchema ts, Query q, Object body, boolean representation,
      List<Map<String, Object>> out) throws SQLException, ApiException {
    if (!(body instanceof Map<?, ?> m)) {
      throw new ApiException(400, "PGRST102", "Empty or invalid json", "PATCH expects a JSON object", null);
    }
    Map<String, Object> set = castRow(m);
    if (set.isEmpty()) {
      return 0;
    }
    StringBuilder sql = new StringBuilder("UPDATE ").append(TableSchema.quote(ts.name)).append(" SET ");
    List<Object> args = new ArrayList<>();
    List<TableSchema.Column> cols = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Object> e : set.entrySet()) {
      TableSchema.Column col = ts.columns.get(e.getKey());
      if (col == null) {
        throw unknownBodyColumn(ts, e.getKey());
      }
      sql.append(i++ > 0 ? ", " : "").append(TableSchema.quote(col.name())).append(" = ?");
      cols.add(col);
    }
    List<Object> whereArgs = new ArrayList<>();
    q.where(sql, whereArgs);
    if (representation) {
      sql.append(" RETURNING ");
      selectList(sql, q);
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int p = 1;
      for (TableSchema.Column col : cols) {
        bindJson(ps, p++, col, set.get(col.name()));
      }
      for (Object a : whereArgs) {
        bindOne(ps, p++, a);
      }
      if (representation) {
        try (ResultSet rs = ps.executeQuery()) {
          out.addAll(readRows(rs, q));
          return out.size();
        }
      }
      return ps.executeUpdate();
    }
  }

  private long delete(Connection c, TableSchema ts, Query q, boolean representation, List<Map<String, Object>> out)
      throws SQLException {
    StringBuilder sql = new StringBuilder("DELETE FROM ").append(TableSchema.quote(ts.name));
    List<Object> args = new ArrayList<>();
    q.where(sql, args);
    if (representation) {
      sql.append(" RETURNING ");
      selectList(sql, q);
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, args);
      if (representation) {
        try (ResultSet rs = ps.executeQuery()) {
          out.addAll(readRows(rs, q));
          return out.size();
        }
      }
      return ps.executeUpdate();
    }
  }

  // ----------------------------------------------------------------------------------- binding

  static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      bindOne(ps, i + 1, args.get(i));
    }
  }

  static void bindOne(PreparedStatement ps, int i, Object v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.NULL);
    } else if (v instanceof Long l) {
      ps.setLong(i, l);
    } else if (v instanceof Double d) {
      ps.setDouble(i, d);
    } else if (v instanceof byte[] b) {
      ps.setBytes(i, b);
    } else {
      ps.setString(i, v.toString());
    }
  }

  /** A JSON value for a column: booleans as 1/0, objects and arrays as JSON text. */
  static void bindJson(PreparedStatement ps, int i, TableSchema.Column col, Object v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.NULL);
    } else if (v instanceof Boolean b) {
      ps.setLong(i, b ? 1 : 0);
    } else if (v instanceof Long l) {
      ps.setLong(i, l);
    } else if (v instanceof BigDecimal d) {
      if (d.scale() <= 0 && d.precision() - d.scale() > 19) {
        ps.setString(i, d.toPlainString());
      } else {
        ps.setDouble(i, d.doubleValue());
      }
    } else if (v instanceof String s) {
      ps.setString(i, s);
    } else {
      ps.setString(i, Json.write(v));
    }
  }
}
