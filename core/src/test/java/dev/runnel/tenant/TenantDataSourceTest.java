package dev.runnel.tenant;

import static dev.runnel.tenant.TenantTesting.SCHEMA;
import static dev.runnel.tenant.TenantTesting.count;
import static dev.runnel.tenant.TenantTesting.fastOptions;
import static dev.runnel.tenant.TenantTesting.fileUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DataSource views of a handle and of a manager. */
class TenantDataSourceTest {
  @TempDir Path tmp;

  private TenantDatabases manager(String cache, String holder) throws Exception {
    return TenantDatabases.builder()
        .replicaBase(fileUrl(tmp.resolve("replica")))
        .cacheDirectory(tmp.resolve(cache))
        .holderId(holder)
        .options(fastOptions().withBusyTimeout(Duration.ofMillis(300)))
        .schemaInitializer(SCHEMA)
        .build();
  }

  private static void insert(Connection c, String v) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO items (v) VALUES ('" + v + "')");
    }
  }

  @Test
  void handleDataSource_nestedWriterConnections_shareWriterUntilLastClose() throws Exception {
    try (TenantDatabases m = manager("cache", "a"); TenantHandle h = m.acquire("acme")) {
      DataSource ds = h.dataSource(false);
      Connection outer = ds.getConnection();
      try (Connection inner = ds.getConnection()) { // no self-deadlock on the exclusive writer
        insert(inner, "inner");
      }
      insert(outer, "outer"); // still usable after the inner view closed
      try (TenantHandle other = m.acquire("acme")) {
        assertThrows(SQLException.class, other::writer, "the writer is still this handle's");
      }
      outer.close();
      assertThrows(SQLException.class, () -> insert(outer, "late"));
      try (TenantHandle other = m.acquire("acme"); Connection w = other.writer()) {
        insert(w, "other"); // given back when the last view closed
      }
      assertEquals(3, count(h));
    }
  }

  @Test
  void handleDataSource_readOnly_givesQueryOnlyReaders() throws Exception {
    try (TenantDatabases m = manager("cache", "a"); TenantHandle h = m.acquire("acme")) {
      try (Connection w = h.dataSource(false).getConnection()) {
        insert(w, "x");
      }
      DataSource ro = h.dataSource(true);
      try (Connection r1 = ro.getConnection(); Connection r2 = ro.getConnection()) {
        assertEquals(1, countItems(r1));
        assertEquals(1, countItems(r2));
        assertThrows(SQLException.class, () -> insert(r1, "no"));
      }
    }
  }

  @Test
  void handleDataSource_handleClosed_connectionsFail() throws Exception {
    try (TenantDatabases m = manager("cache", "a")) {
      TenantHandle h = m.acquire("acme");
      Connection c = h.dataSource(false).getConnection();
      h.close();
      assertThrows(SQLException.class, () -> insert(c, "after close"));
      assertThrows(SQLException.class, () -> h.dataSource(true).getConnection());
    }
  }

  @Test
  void managerDataSource_eachConnection_acquiresAndReleasesTenant() throws Exception {
    try (TenantDatabases m = manager("cache", "a")) {
      DataSource ds = m.dataSource("acme", false);
      try (Connection c = ds.getConnection()) {
        insert(c, "cold");
        assertEquals(1, m.tenantInfo("acme").orElseThrow().openHandles());
      }
      assertEquals(0, m.tenantInfo("acme").orElseThrow().openHandles(), "closing the connection released the handle");
      assertTrue(m.evict("acme"));
      try (Connection c = m.dataSource("acme", true).getConnection()) { // cold start again, from the replica
        assertEquals(1, countItems(c));
      }
      assertEquals(2, m.metrics().coldStarts());
    }
  }

  @Test
  void managerDataSource_tenantLeasedElsewhere_sqlExceptionWithBusyCause() throws Exception {
    try (TenantDatabases a = manager("cache-a", "holder-a"); TenantHandle h = a.acquire("acme");
        TenantDatabases b = manager("cache-b", "holder-b")) {
      SQLException e = assertThrows(SQLException.class, () -> b.dataSource("acme", false).getConnection());
      assertInstanceOf(TenantBusyException.class, e.getCause());
      assertEquals("08001", e.getSQLState());
      assertThrows(IllegalArgumentException.class, () -> b.dataSource("../x", false));
    }
  }

  private static long countItems(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
