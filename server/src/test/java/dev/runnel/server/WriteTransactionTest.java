package dev.runnel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.tenant.TenantHandle;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * Write transactions begin IMMEDIATE: a deferred one that reads the schema and then writes fails at
 * once with SQLITE_BUSY when another connection (Runnel's checkpoint bookkeeping) wrote in between;
 * ServerBench's 16-connection POST run hit exactly that as spurious 503s.
 */
class WriteTransactionTest {
  @TempDir Path tmp;

  private Connection open(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA busy_timeout = 5000");
    }
    return c;
  }

  private static int count(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void deferredReadThenWrite_otherCommitInBetween_busyAtOnce() throws Exception {
    Path db = tmp.resolve("d.db");
    try (Connection a = open(db); Connection b = open(db)) {
      a.createStatement().execute("CREATE TABLE t (x)");
      a.setAutoCommit(false);
      count(a); // read snapshot taken
      b.createStatement().execute("INSERT INTO t VALUES (1)");
      long t0 = System.nanoTime();
      SQLException e = assertThrows(SQLException.class, () -> a.createStatement().execute("INSERT INTO t VALUES (2)"));
      assertTrue(e.getMessage().contains("SQLITE_BUSY"), e.getMessage());
      assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "no busy wait: the snapshot is stale");
      a.rollback();
    }
  }

  @Test
  void beginImmediate_readThenWrite_otherWriterWaitsAndBothCommit() throws Exception {
    Path db = tmp.resolve("i.db");
    try (Connection a = open(db); Connection b = open(db)) {
      a.createStatement().execute("CREATE TABLE t (x)");
      TableSchema.beginImmediate(a);
      count(a);
      CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
        try {
          b.createStatement().execute("INSERT INTO t VALUES (1)");
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      });
      Thread.sleep(200); // b is now waiting for the write lock a holds
      a.createStatement().execute("INSERT INTO t VALUES (2)");
      a.commit(); // begins the next transaction deferred: no lock held
      other.get(10, TimeUnit.SECONDS);
      a.setAutoCommit(true);
      assertEquals(2, count(a));
    }
  }

  @Test
  void beginImmediate_tenantWriterConnection_modeSetThroughRunnelsWrapper() throws Exception {
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp));
        TenantHandle h = s.tenants().acquire("acme")) {
      Connection w = h.writer();
      TableSchema.beginImmediate(w);
      try {
        assertEquals(SQLiteConfig.TransactionMode.DEFERRED,
            w.unwrap(SQLiteConnection.class).getConnectionConfig().getTransactionMode(), "mode restored");
        w.createStatement().execute("INSERT INTO tags (k) VALUES ('a')");
        w.commit();
      } finally {
        w.setAutoCommit(true);
      }
      assertEquals(200, ServerTesting.get(s, "/t/acme/tags?k=eq.a").status());
    }
  }
}
