package dev.runnel.replicate;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A deterministic hash of a database's schema and rows, for comparing restores with the source. */
public final class DbContent {
  private DbContent() {}

  public static String hash(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toAbsolutePath() + "?mode=ro")) {
      return hash(c);
    }
  }

  /** Hashes schema and all rows of user tables; Litestream's bookkeeping tables are left out. */
  public static String hash(Connection c) throws SQLException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      List<String> tables = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_master "
              + "WHERE name NOT LIKE '_litestream_%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name")) {
        while (rs.next()) {
          md.update((rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(4) + "\n").getBytes());
          if ("table".equals(rs.getString(1))) {
            tables.add(rs.getString(2));
          }
        }
      }
      for (String t : tables) {
        int cols;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\" LIMIT 0")) {
          cols = rs.getMetaData().getColumnCount();
        }
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= cols; i++) {
          order.append(i == 1 ? "" : ", ").append(i);
        }
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\" ORDER BY " + order)) {
          ResultSetMetaData md2 = rs.getMetaData();
          int n = md2.getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              byte[] v = rs.getBytes(i);
              md.update(v == null ? new byte[] {0} : v);
              md.update((byte) 0x1f);
            }
            md.update((byte) '\n');
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public static String integrityCheck(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toAbsolutePath() + "?mode=ro");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
