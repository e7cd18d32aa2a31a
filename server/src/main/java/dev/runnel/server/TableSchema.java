package dev.runnel.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * One table (or view) of a tenant database as SQLite declares it ({@code sqlite_master},
 * {@code pragma_table_info}). Every identifier of a request is looked up here; SQL only ever
 * contains names taken from this object, double-quoted.
 */
final class TableSchema {
  /** SQLite type affinity of a declared column type (SQLite's rules, section 3.1 of datatype3). */
  enum Affinity { INTEGER, TEXT, BLOB, REAL, NUMERIC }

  record Column(String name, String declType, Affinity affinity, boolean notNull, boolean hasDefault, int pk) {
    boolean isBoolean() {
      return declType.toUpperCase(Locale.ROOT).contains("BOOL");
    }

    boolean isJson() {
      String t = declType.toUpperCase(Locale.ROOT);
      return t.equals("JSON") || t.equals("JSONB");
    }

    /** NUMERIC affinity that really means a number (not DATE, DATETIME, ...). */
    boolean isNumber() {
      String t = declType.toUpperCase(Locale.ROOT);
      return affinity == Affinity.INTEGER || affinity == Affinity.REAL
          || (affinity == Affinity.NUMERIC && (t.contains("NUM") || t.contains("DEC")));
    }
  }

  final String name;
  final boolean view;
  final Map<String, Column> columns;
  final List<String> primaryKey;

  private TableSchema(String name, boolean view, Map<String, Column> columns, List<String> primaryKey) {
    this.name = name;
    this.view = view;
    this.columns = columns;
    this.primaryKey = primaryKey;
  }

  static Affinity affinity(String declType) {
    String t = declType.toUpperCase(Locale.ROOT);
    if (t.contains("INT")) {
      return Affinity.INTEGER;
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return Affinity.TEXT;
    }
    if (t.isEmpty() || t.contains("BLOB")) {
      return Affinity.BLOB;
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return Affinity.REAL;
    }
    return Affinity.NUMERIC;
  }

  /** Whether a table name is exposed: in the allow-list if one is set, else any user table. */
  static boolean exposed(String table, Set<String> allowList) {
    if (table.startsWith("sqlite_") || table.startsWith("_litestream_")) {
      return false;
    }
    return allowList == null || allowList.contains(table);
  }

  /**
   * Loads a table by its exact name.
   *
   * @throws ApiException 404 (PGRST205) if it does not exist or is not exposed
   */
  static TableSchema load(Connection c, String table, Set<String> allowList) throws SQLException, ApiException {
    if (!exposed(table, allowList)) {
      throw notFound(table);
    }
    String type = null;
    String exact = null;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table','view') AND name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          exact = rs.getString(1);
          type = rs.getString(2);
        }
      }
    }
    // sqlite_master comparisons are case-sensitive with '=', so this is an exact match.
    if (exact == null || !exact.equals(table)) {
      throw notFound(table);
    }
    Map<String, Column> cols = new LinkedHashMap<>();
    List<Column> pks = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String decl = rs.getString(2) == null ? "" : rs.getString(2);
          Column col = new Column(rs.getString(1), decl, affinity(decl), rs.getInt(3) != 0, rs.getString(4) != null,
              rs.getInt(5));
          cols.put(col.name(), col);
          if (col.pk() > 0) {
            pks.add(col);
          }
        }
      }
    }
    pks.sort((a, b) -> Integer.compare(a.pk(), b.pk()));
    List<String> pk = pks.stream().map(Column::name).toList();
    return new TableSchema(exact, "view".equals(type), Collections.unmodifiableMap(cols), pk);
  }

  static ApiException notFound(String table) {
    return new ApiException(404, "PGRST205", "Could not find the table '" + table + "' in the schema cache", null,
        null);
  }

  /** The column named exactly {@code name}, or a 400 (42703). */
  Column column(String name) throws ApiException {
    Column c = columns.get(name);
    if (c == null) {
      throw ApiException.noColumn(this.name, name);
    }
    return c;
  }

  /** A double-quoted SQL identifier (embedded quotes doubled). */
  static String quote(String ident) {
    return "\"" + ident.replace("\"", "\"\"") + "\"";
  }

  /** All exposed tables and views of a database, sorted by name. */
  static List<String> list(Connection c, Set<String> allowList) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (exposed(rs.getString(1), allowList)) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Starts a write transaction that takes SQLite's write lock at {@code BEGIN} ({@code BEGIN
   * IMMEDIATE}). A deferred transaction that reads first (the schema lookup) and writes later fails
   * at once with {@code SQLITE_BUSY}, without waiting for the busy timeout, whenever another
   * connection wrote in between, and Runnel's checkpoint bookkeeping does write; an immediate one
   * waits its turn instead. The connection's mode is set back to deferred right away, because
   * sqlite-jdbc begins the next transaction inside {@code commit()}/{@code rollback()} while
   * auto-commit is off, and that one must not hold the write lock until auto-commit is restored.
   */
  static void beginImmediate(Connection c) throws SQLException {
    var config = c.unwrap(SQLiteConnection.class).getConnectionConfig();
    SQLiteConfig.TransactionMode previous = config.getTransactionMode();
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    try {
      c.setAutoCommit(false);
    } finally {
      config.setTransactionMode(previous);
    }
  }
}
