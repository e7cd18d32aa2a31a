package dev.runnel.wal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sqlite.SQLiteConfig;

/** sqlite-jdbc helpers for the live-WAL tests. */
final class LiveDb {
  private LiveDb() {}

  /** A read-write connection with WAL mode, no autocheckpoint and a busy timeout. */
  static Connection open(String path, int cacheSize) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(10_000);
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + path, cfg.toProperties());
    exec(c, "PRAGMA wal_autocheckpoint=0");
    exec(c, "PRAGMA cache_size=" + cacheSize);
    return c;
  }

  static Connection openReadOnly(String path) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    cfg.setBusyTimeout(10_000);
    return DriverManager.getConnection("jdbc:sqlite:" + path, cfg.toProperties());
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** SHA-256 over the schema and every row of every table, rows ordered by the first column. */
  static String dump(Connection c) throws SQLException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master ORDER BY type, name")) {
      while (rs.next()) {
        for (int i = 1; i <= 5; i++) {
          feed(md, rs.getObject(i));
        }
        if ("table".equals(rs.getString(1)) && !rs.getString(2).startsWith("sqlite_")) {
          tables.add(rs.getString(2));
        }
      }
    }
    for (String t : tables) {
      feed(md, "table " + t);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM \"" + t + "\" ORDER BY 1")) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            feed(md, rs.getObject(i));
          }
          md.update((byte) '\n');
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void feed(MessageDigest md, Object v) {
    if (v == null) {
      md.update((byte) 'N');
    } else if (v instanceof Integer || v instanceof Long) {
      md.update((byte) 'I');
      md.update(Long.toString(((Number) v).longValue()).getBytes(StandardCharsets.US_ASCII));
    } else if (v instanceof Number num) {
      md.update((byte) 'D');
      md.update(Double.toString(num.doubleValue()).getBytes(StandardCharsets.US_ASCII));
    } else if (v instanceof byte[] b) {
      md.update((byte) 'B');
      md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
      md.update(b);
    } else {
      byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
      md.update((byte) 'S');
      md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
      md.update(b);
    }
    md.update((byte) 0);
  }
}
