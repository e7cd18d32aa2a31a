package dev.runnel.server;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps SQLite errors to PostgREST-style errors (PostgreSQL SQLSTATE codes where one fits). */
final class Errors {
  private Errors() {}

  private static final Pattern INNER = Pattern.compile("\\((.*)\\)\\s*$", Pattern.DOTALL);

  /** The readable part of an sqlite-jdbc message ({@code [SQLITE_X] Summary (detail)} gives {@code detail}). */
  static String sqliteMessage(SQLException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    if (m.startsWith("[SQLITE_")) {
      Matcher x = INNER.matcher(m);
      if (x.find()) {
        return x.group(1);
      }
    }
    return m;
  }

  static ApiException fromSql(SQLException e) {
    String raw = e.getMessage() == null ? "" : e.getMessage();
    String msg = sqliteMessage(e);
    if (raw.contains("UNIQUE constraint failed") || raw.contains("PRIMARY KEY constraint failed")
        || raw.contains("SQLITE_CONSTRAINT_PRIMARYKEY") || raw.contains("SQLITE_CONSTRAINT_UNIQUE")) {
      return new ApiException(409, "23505", "duplicate key value violates unique constraint", msg, null);
    }
    if (raw.contains("FOREIGN KEY constraint failed")) {
      return new ApiException(409, "23503", "insert or update violates foreign key constraint", msg, null);
    }
    if (raw.contains("NOT NULL constraint failed")) {
      return new ApiException(400, "23502", "null value violates not-null constraint", msg, null);
    }
    if (raw.contains("CHECK constraint failed")) {
      return new ApiException(400, "23514", "new row violates check constraint", msg, null);
    }
    if (raw.contains("cannot store") || raw.contains("datatype mismatch") || raw.contains("SQLITE_MISMATCH")) {
      return new ApiException(400, "22P02", "invalid input value", msg, null);
    }
    if (raw.contains("ON CONFLICT clause does not match")) {
      return new ApiException(400, "42P10",
          "there is no unique or exclusion constraint matching the ON CONFLICT specification", msg,
          "on_conflict must name the columns of a primary key or unique index");
    }
    if (raw.contains("SQLITE_BUSY") || raw.contains("database is locked") || raw.contains("writer")
        && raw.contains("busy")) {
      return new ApiException(503, "RUNNEL_BUSY", "the tenant database is busy; try again", msg, null)
          .header("Retry-After", "1");
    }
    if (raw.contains("SQLITE_READONLY") || raw.contains("cannot modify") || raw.contains("may not be modified")) {
      return new ApiException(405, "42809", "the relation is read-only", msg, null);
    }
    if (raw.contains("SQLITE_CONSTRAINT")) {
      return new ApiException(400, "23000", "constraint violation", msg, null);
    }
    return new ApiException(500, "XX000", "database error", msg, null);
  }
}
