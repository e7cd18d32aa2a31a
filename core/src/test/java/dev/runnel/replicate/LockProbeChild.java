package dev.runnel.replicate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Tries, with no busy wait, to take exclusive access to a database by switching it out of WAL
 * mode — which SQLite allows only when no other process holds a lock on the database file.
 * Prints "locked" if refused, else the new journal mode. Args: database.
 */
public final class LockProbeChild {
  public static void main(String[] args) throws Exception {
    if (args.length > 1 && args[1].equals("open-close")) {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
      }
      System.out.println("closed");
      return;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 0");
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = DELETE")) {
        rs.next();
        System.out.println(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      System.out.println(e.getMessage().contains("locked") || e.getMessage().contains("BUSY") ? "locked" : "error " + e);
    }
  }
}
