package dev.runnel.restore;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** How a restored database is checked before it is handed over: not, {@code quick_check}, or {@code integrity_check}. */
public enum IntegrityCheck {
  NONE(null),
  QUICK("PRAGMA quick_check"),
  FULL("PRAGMA integrity_check");

  private final String sql;

  IntegrityCheck(String sql) {
    this.sql = sql;
  }

  /** Parses Litestream's flag values {@code none}, {@code quick}, {@code full}. */
  public static IntegrityCheck parse(String s) {
    return switch (s == null ? "" : s.toLowerCase(java.util.Locale.ROOT)) {
      case "none" -> NONE;
      case "quick" -> QUICK;
      case "full" -> FULL;
      default -> throw new IllegalArgumentException("invalid integrity check '" + s + "': expected none, quick or full");
    };
  }

  /**
   * Runs the check on a database file that no one else has open.
   *
   * @throws IOException naming the file and SQLite's first complaints if the result is not "ok"
   */
  public void run(Path db) throws IOException {
    if (sql == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    // A normal (not read-only) connection: a read-only one to a WAL-mode file leaves -wal and -shm
    // behind; a read-write one that writes nothing removes them on close and leaves the file as is.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next() && problems.size() < 10) {
        String r = rs.getString(1);
        if (!"ok".equals(r)) {
          problems.add(r);
        }
      }
    } catch (SQLException e) {
      throw new IOException(db + ": " + name().toLowerCase(java.util.Locale.ROOT) + " integrity check failed: " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new IOException(db + ": " + name().toLowerCase(java.util.Locale.ROOT) + " integrity check failed: " + String.join("; ", problems));
    }
  }
}
