package dev.runnel.server;

import dev.runnel.ltx.TxId;
import dev.runnel.tenant.TenantHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Bulk CSV import into one table of one tenant, in one transaction: all rows or none. The body is
 * streamed (memory stays flat for any row count); the first bad line aborts the import and is
 * named in the error. At most one import per tenant runs at a time in this server (the tenant's
 * lease keeps other processes out). After the commit the import waits until the replica holds it.
 */
final class CsvImporter {
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private static final int BATCH = 1000;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final ServerConfig config;

  CsvImporter(ServerConfig config) {
    this.config = config;
  }

  /** Whether an import of the tenant is running (for tests and the status page). */
  boolean running(String tenant) {
    return running.contains(tenant);
  }

  /** The result of a committed, replicated import. */
  record Result(long rows, TxId txid, long millis, long commitMillis) {}

  /** Claims the tenant's import slot, or 409. Release with {@link #release}. */
  void claim(String tenant) throws ApiException {
    if (!running.add(tenant)) {
      throw new ApiException(409, "RUNNEL_IMPORT_RUNNING", "import already running for tenant " + tenant
          + "; try again when it has finished", null, null).header("Retry-After", "5");
    }
  }

  void release(String tenant) {
    running.remove(tenant);
  }

  Result importCsv(TenantHandle h, String table, InputStream body) throws ApiException, IOException, SQLException {
    long t0 = System.nanoTime();
    var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    Csv csv = new Csv(new InputStreamReader(body, decoder));
    Connection c = h.writer();
    boolean committed = false;
    long rows = 0;
    String oldCache = null;
    try {
      TableSchema ts = TableSchema.load(c, table, config.exposedTables());
      if (ts.view) {
        throw new ApiException(405, "42809", "cannot import into view " + table);
      }
      List<String> header;
      try {
        header = csv.next();
      } catch (Csv.CsvException e) {
        throw lineError(e.line(), e.getMessage().substring(e.getMessage().indexOf(':') + 2), "CSV syntax");
      }
      if (header == null) {
        throw new ApiException(400, "RUNNEL_CSV", "empty CSV: expected a header row naming the columns");
      }
      List<TableSchema.Column> cols = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (String name : header) {
        String n = name == null ? "" : name.trim();
        TableSchema.Column col = ts.columns.get(n);
        if (col == null) {
          throw new ApiException(400, "PGRST204", "Could not find the '" + n + "' column of '" + ts.name
              + "' (CSV header, line 1)", "columns of " + ts.name + ": " + String.join(", ", ts.columns.keySet()),
              null);
        }
        if (!seen.add(n)) {
          throw new ApiException(400, "RUNNEL_CSV", "line 1: column '" + n + "' appears twice in the header");
        }
        cols.add(col);
      }
      try (Statement st = c.createStatement()) {
        try (var rs = st.executeQuery("PRAGMA cache_size")) {
          oldCache = rs.next() ? rs.getString(1) : null;
        }
        st.execute("PRAGMA cache_size=-131072"); // 128 MiB page cache for the import's B-tree work
      }
      TableSchema.beginImmediate(c);
      StringBuilder sql = new StringBuilder("INSERT INTO ").append(TableSchema.quote(ts.name)).append(" (");
      for (int i = 0; i < cols.size(); i++) {
        sql.append(i > 0 ? ", " : "").append(TableSchema.quote(cols.get(i).name()));
      }
      sql.append(") VALUES (").append("?, ".repeat(cols.size() - 1)).append("?)");
      try (PreparedStatement ps = c.prepareStatement(sql.toString()); Statement sp = c.createStatement()) {
        // Rows go in batches (one JNI call per batch); each batch runs under a savepoint so a failing
        // batch can be replayed row by row to name the exact bad line.
        List<Object[]> batch = new ArrayList<>(BATCH);
        long[] lines = new long[BATCH];
        while (true) {
          List<String> rec;
          try {
            rec = csv.next();
          } catch (Csv.CsvException e) {
            throw lineError(e.line(), e.getMessage().substring(e.getMessage().indexOf(':') + 2), "CSV syntax");
          } catch (CharacterCodingException e) {
            throw lineError(csv.recordLine(), "invalid UTF-8 near this line", "encoding");
          }
          if (rec != null) {
            long line = csv.recordLine();
            if (rec.size() != cols.size()) {
              throw lineError(line, "expected " + cols.size() + " fields, found " + rec.size(), "wrong column count");
            }
            Object[] vals = new Object[cols.size()];
            for (int i = 0; i < vals.length; i++) {
              vals[i] = convert(cols.get(i), rec.get(i), line);
            }
            lines[batch.size()] = line;
            batch.add(vals);
          }
          if (batch.size() == BATCH || (rec == null && !batch.isEmpty())) {
            flush(ps, sp, batch, lines);
            rows += batch.size();
            batch.clear();
          }
          if (rec == null) {
            break;
          }
        }
      }
      c.commit();
      committed = true;
    } finally {
      if (!committed) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // returned to the pool below, which rolls back as well
        }
      }
      try {
        c.setAutoCommit(true);
        if (oldCache != null) {
          try (Statement st = c.createStatement()) {
            st.execute("PRAGMA cache_size=" + Long.parseLong(oldCache));
          }
        }
      } finally {
        c.close();
      }
    }
    long committedAt = System.nanoTime();
    TxId txid = h.sync();
    long end = System.nanoTime();
    return new Result(rows, txid, (end - t0) / 1_000_000, (committedAt - t0) / 1_000_000);
  }

  private static ApiException lineError(long line, String why, String kind) {
    return new ApiException(400, "RUNNEL_CSV", "line " + line + ": " + why, "line " + line + ": " + kind,
        "nothing was imported");
  }

  private static void flush(PreparedStatement ps, Statement sp, List<Object[]> batch, long[] lines)
      throws SQLException, ApiException {
    sp.execute("SAVEPOINT runnel_import_batch");
    try {
      for (Object[] vals : batch) {
        for (int i = 0; i < vals.length; i++) {
          RestApi.bindOne(ps, i + 1, vals[i]);
        }
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException batchFailed) {
      ps.clearBatch();
      sp.execute("ROLLBACK TO runnel_import_batch");
      for (int r = 0; r < batch.size(); r++) {
        Object[] vals = batch.get(r);
        for (int i = 0; i < vals.length; i++) {
          RestApi.bindOne(ps, i + 1, vals[i]);
        }
        try {
          ps.executeUpdate();
        } catch (SQLException e) {
          ApiException a = Errors.fromSql(e);
          long line = lines[r];
          throw new ApiException(a.status() == 409 ? 409 : 400, a.code(), "line " + line + ": " + a.getMessage()
              + (a.details() != null ? " (" + a.details() + ")" : ""), "line " + line + ": constraint violation",
              "nothing was imported");
        }
      }
      throw batchFailed; // the batch failed but no single row does: report the batch's error
    }
    sp.execute("RELEASE runnel_import_batch");
  }

  /** A CSV field as the value to bind, checked against the column's declared type. */
  private static Object convert(TableSchema.Column col, String v, long line) throws ApiException {
    if (v == null) {
      return null;
    }
    if (col.isBoolean()) {
      return switch (v.trim().toLowerCase(Locale.ROOT)) {
        case "true", "t", "1", "yes", "y" -> 1L;
        case "false", "f", "0", "no", "n" -> 0L;
        default -> throw typeError(line, col, v, "boolean");
      };
    }
    switch (col.affinity()) {
      case INTEGER -> {
        String t = v.trim();
        if (INTEGER.matcher(t).matches()) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException ignored) {
            // out of range: below
          }
        }
        throw typeError(line, col, v, "integer");
      }
      case REAL -> {
        String t = v.trim();
        if (!DECIMAL.matcher(t).matches()) {
          throw typeError(line, col, v, "number");
        }
        return Double.parseDouble(t);
      }
      case NUMERIC -> {
        if (!col.isNumber()) {
          return v; // DATE, DATETIME, ...: SQLite stores the text
        }
        String t = v.trim();
        if (INTEGER.matcher(t).matches()) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException ignored) {
            // too large: a real
          }
        }
        if (!DECIMAL.matcher(t).matches()) {
          throw typeError(line, col, v, "number");
        }
        return Double.parseDouble(t);
      }
      default -> {
        return v;
      }
    }
  }

  private static ApiException typeError(long line, TableSchema.Column col, String v, String type) {
    String shown = v.length() > 40 ? v.substring(0, 40) + "…" : v;
    return new ApiException(400, "22P02", "line " + line + ": invalid " + type + " \"" + shown + "\" for column "
        + col.name() + " (" + col.declType() + ")", "line " + line + ": type error", "nothing was imported");
  }

  static Map<String, Object> toJson(Result r) {
    Map<String, Object> m = Json.object();
    m.put("rows", r.rows());
    m.put("txid", r.txid().toString());
    m.put("ms", r.millis());
    m.put("durable", true);
    m.put("commit_ms", r.commitMillis());
    return m;
  }
}
