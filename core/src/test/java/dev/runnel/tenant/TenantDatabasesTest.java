package dev.runnel.tenant;

import dev.runnel.testing.TestClock;
import static dev.runnel.tenant.TenantTesting.SCHEMA;
import static dev.runnel.tenant.TenantTesting.count;
import static dev.runnel.tenant.TenantTesting.fastOptions;
import static dev.runnel.tenant.TenantTesting.fileUrl;
import static dev.runnel.tenant.TenantTesting.filesUnder;
import static dev.runnel.tenant.TenantTesting.insert;
import static dev.runnel.tenant.TenantTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantDatabasesTest {
  @TempDir Path tmp;
  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  final List<TenantDatabases> managers = new ArrayList<>();

  @AfterEach
  void closeAll() {
    TenantTesting.closeAll(managers);
  }

  private Path replicaRoot() {
    return tmp.resolve("replica");
  }

  private TenantDatabases.Builder builder(String cache) {
    return TenantDatabases.builder()
        .replicaBase(fileUrl(replicaRoot()))
        .cacheDirectory(tmp.resolve(cache))
        .clock(clock)
        .options(fastOptions())
        .schemaInitializer(SCHEMA);
  }

  private TenantDatabases track(TenantDatabases m) {
    managers.add(m);
    return m;
  }

  private TenantDatabases manager() throws Exception {
    return track(builder("cache").build());
  }

  private List<String> restoredValues(String tenant) throws Exception {
    return TenantTesting.restoredValues(replicaRoot(), tenant, tmp);
  }

  @Test
  void acquire_newTenant_createsWithInitializerOnce_andMigrationRunsOnEveryColdStart() throws Exception {
    AtomicInteger inits = new AtomicInteger();
    AtomicInteger migrations = new AtomicInteger();
    List<String> events = new CopyOnWriteArrayList<>();
    TenantDatabases m = track(builder("cache")
        .schemaInitializer((id, c) -> {
          inits.incrementAndGet();
          SCHEMA.apply(id, c);
        })
        .migration((id, c) -> {
          migrations.incrementAndGet();
          try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS audit (n INTEGER)");
            st.execute("INSERT INTO audit VALUES (1)");
          }
        })
        .listener(new TenantListener() {
          @Override
          public void coldStarted(String tenantId, boolean created, Duration elapsed) {
            events.add("cold " + tenantId + " " + created);
          }

          @Override
          public void evicted(String tenantId, EvictionCause cause) {
            events.add("evicted " + tenantId + " " + cause);
          }
        })
        .build());
    try (TenantHandle h = m.acquire("acme")) {
      insert(h, "first");
      assertEquals(1, count(h));
    }
    assertTrue(m.tenantInfo("acme").orElseThrow().created());
    assertTrue(m.evict("acme"));
    assertFalse(Files.exists(tmp.resolve("cache").resolve("acme")), "local files deleted on eviction");
    try (TenantHandle h = m.acquire("acme")) {
      assertEquals(List.of("first"), values(h));
      try (Connection c = h.reader(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM audit")) {
        rs.next();
        assertEquals(2, rs.getLong(1), "the migration ran on both cold starts");
      }
    }
    assertEquals(1, inits.get());
    assertEquals(2, migrations.get());
    assertFalse(m.tenantInfo("acme").orElseThrow().created());
    TenantMetrics mt = m.metrics();
    assertEquals(2, mt.coldStarts());
    assertEquals(1, mt.tenantsCreated());
    assertEquals(1, mt.evictions(EvictionCause.EXPLICIT));
    assertEquals(2, mt.coldStartLatency().count());
    assertEquals(List.of("cold acme true", "evicted acme EXPLICIT", "cold acme false"), events);
  }

  @Test
  void acquire_tenantWithReplica_restoresIntoAnotherProcessCache() throws Exception {
    try (TenantDatabases a = builder("cache-a").build()) {
      try (TenantHandle h = a.acquire("org-1")) {
        for (int i = 0; i < 50; i++) {
          insert(h, "row " + i);
        }
      }
    } // shutdown flushes and releases the lease
    assertEquals(List.of(), filesUnder(tmp.resolve("cache-a")).stream().filter(f -> !f.startsWith(".")).toList());
    AtomicInteger inits = new AtomicInteger();
    TenantDatabases b = track(builder("cache-b").schemaInitializer((id, c) -> inits.incrementAndGet()).build());
    try (TenantHandle h = b.acquire("org-1")) {
      assertEquals(50, count(h));
      insert(h, "from b");
      h.sync();
    }
    assertEquals(0, inits.get(), "an existing tenant is restored, not initialised");
    assertEquals(51, restoredValues("org-1").size());
  }

  @Test
  void acquire_hotTenant_returnsWithoutColdStartInMicroseconds() throws Exception {
    TenantDatabases m = manager();
    m.acquire("hot").close();
    int n = 20_000;
    for (int i = 0; i < 2000; i++) { // warm-up
      m.acquire("hot").close();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      try (TenantHandle h = m.acquire("hot")) {
        assertEquals("hot", h.tenantId());
      }
    }
    long avgNanos = (System.nanoTime() - t0) / n;
    System.out.println("hot acquire+close: " + avgNanos + " ns average");
    assertEquals(1, m.metrics().coldStarts());
    assertEquals(n + 2000, m.metrics().hotAcquires());
    assertTrue(avgNanos < 200_000, "hot acquire took " + avgNanos + " ns on average");
  }

  @Test
  void acquire_fiftyConcurrentColdAcquires_restoresExactlyOnce() throws Exception {
    try (TenantDatabases a = builder("cache-a").build(); TenantHandle h = a.acquire("popular")) {
      for (int i = 0; i < 20; i++) {
        insert(h, "v" + i);
      }
    }
    AtomicInteger factoryCalls = new AtomicInteger();
    AtomicInteger opens = new AtomicInteger();
    TenantDatabases m = track(builder("cache-b")
        .replicaFactory(id -> {
          factoryCalls.incrementAndGet();
          return new TenantTesting.CountingReplica(FileReplicaClient.create(replicaRoot().resolve(id)),
              new AtomicBoolean(), opens, new AtomicInteger());
        }).build());
    int threads = 50;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Long>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(pool.submit(() -> {
        go.await();
        try (TenantHandle h = m.acquire("popular")) {
          return count(h);
        }
      }));
    }
    go.countDown();
    for (Future<Long> f : results) {
      assertEquals(20L, f.get(30, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertEquals(1, factoryCalls.get(), "one cold start");
    assertTrue(opens.get() >= 1);
    int opensAfterRestore = opens.get();
    TenantMetrics mt = m.metrics();
    assertEquals(1, mt.coldStarts());
    assertEquals(threads - 1, mt.hotAcquires());
    m.acquire("popular").close();
    assertEquals(opensAfterRestore, opens.get(), "a hot acquire downloads nothing");
  }

  @Test
  void acquire_otherTenantDuringSlowColdStart_doesNotWait() throws Exception {
    CountDownLatch slowEntered = new CountDownLatch(1);
    CountDownLatch releaseSlow = new CountDownLatch(1);
    TenantDatabases m = track(builder("cache")
        .replicaFactory(id -> {
          if (id.equals("slow")) {
            slowEntered.countDown();
            try {
              releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return FileReplicaClient.create(replicaRoot().resolve(id));
        }).build());
    ExecutorService ex = Executors.newSingleThreadExecutor();
    Future<?> slow = ex.submit(() -> {
      try (TenantHandle h = m.acquire("slow")) {
        return count(h);
      }
    });
    assertTrue(slowEntered.await(10, TimeUnit.SECONDS));
    long t0 = System.nanoTime();
    try (TenantHandle h = m.acquire("fast")) {
      insert(h, "x");
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5000, "fast tenant waited " + ms + " ms");
    assertFalse(slow.isDone(), "the slow cold start is still blocked");
    assertEquals(1, m.metrics().startingTenants());
    releaseSlow.countDown();
    slow.get(30, TimeUnit.SECONDS);
    ex.shutdown();
  }

  @Test
  void runMaintenance_idlePastTimeout_evictsAfterUploadingAndReleasesLease() throws Exception {
    TenantDatabases m = manager();
    try (TenantHandle h = m.acquire("idle")) {
      insert(h, "before eviction");
    }
    clock.advance(Duration.ofMinutes(4));
    m.runMaintenance();
    assertTrue(m.hotTenantIds().contains("idle"), "not idle long enough yet");
    TenantHandle open = m.acquire("busy");
    clock.advance(Duration.ofMinutes(2));
    m.runMaintenance();
    assertEquals(Set.of("busy"), m.hotTenantIds(), "idle tenant evicted; tenant with an open handle kept");
    assertEquals(1, m.metrics().evictions(EvictionCause.IDLE));
    assertFalse(Files.exists(tmp.resolve("cache").resolve("idle")));
    assertFalse(Files.exists(replicaRoot().resolve("idle").resolve(TenantLease.OBJECT)), "lease released");
    assertEquals(List.of("before eviction"), restoredValues("idle"));
    clock.advance(Duration.ofHours(1));
    m.runMaintenance();
    assertTrue(m.hotTenantIds().contains("busy"), "an open handle keeps a tenant hot however long");
    open.close();
    clock.advance(Duration.ofMinutes(5));
    m.runMaintenance();
    assertEquals(Set.of(), m.hotTenantIds());
  }

  @Test
  void acquire_overHotCap_evictsLeastRecentlyUsed() throws Exception {
    TenantDatabases m = track(builder("cache").options(fastOptions().withMaxHotTenants(3)).build());
    for (String id : List.of("a", "b", "c")) {
      try (TenantHandle h = m.acquire(id)) {
        insert(h, id);
      }
      clock.advance(Duration.ofSeconds(1));
    }
    m.acquire("a").close(); // a is now the most recently used
    clock.advance(Duration.ofSeconds(1));
    m.acquire("d").close();
    assertEquals(Set.of("a", "c", "d"), m.hotTenantIds());
    clock.advance(Duration.ofSeconds(1));
    m.acquire("e").close();
    assertEquals(Set.of("a", "d", "e"), m.hotTenantIds());
    assertEquals(2, m.metrics().evictions(EvictionCause.LRU));
    try (TenantHandle h = m.acquire("b")) {
      assertEquals(List.of("b"), values(h), "an LRU-evicted tenant comes back intact");
    }
  }

  @Test
  void runMaintenance_overDiskBudget_evictsLeastRecentlyUsedUntilUnder() throws Exception {
    long budget = 3L << 20;
    TenantDatabases m = track(builder("cache").options(fastOptions().withDiskBudgetBytes(budget)).build());
    Random rnd = new Random(1);
    for (int i = 0; i < 6; i++) {
      try (TenantHandle h = m.acquire("big" + i); Connection c = h.writer();
          PreparedStatement ps = c.prepareStatement("INSERT INTO items (v) VALUES (?)")) {
        byte[] b = new byte[400_000];
        rnd.nextBytes(b);
        ps.setString(1, java.util.HexFormat.of().formatHex(b, 0, 200_000));
        ps.executeUpdate();
      }
      clock.advance(Duration.ofSeconds(1));
      m.runMaintenance();
      assertTrue(m.metrics().diskBytes() <= budget, "disk " + m.metrics().diskBytes() + " over budget " + budget);
    }
    assertTrue(m.metrics().evictions(EvictionCause.DISK) >= 2, m.metrics().toString());
    assertTrue(m.hotTenantIds().contains("big5"), "the most recently used stays");
    assertFalse(m.hotTenantIds().contains("big0"), "the least recently used goes first");
    try (TenantHandle h = m.acquire("big0")) {
      assertEquals(400_000, values(h).get(0).length());
    }
  }

  @Test
  void evict_racingWithAcquiresOfSameTenant_neverLosesACommit() throws Exception {
    // A real clock and a 1 ms idle timeout: every maintenance pass evicts the tenant if it can.
    TenantDatabases m = track(builder("cache").clock(java.time.Clock.systemUTC())
        .options(fastOptions().withIdleTimeout(Duration.ofMillis(1))).build());
    long seed = System.nanoTime();
    int rounds = 300;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger evicted = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(3);
    List<Future<?>> evictors = new ArrayList<>();
    for (int e = 0; e < 2; e++) {
      Random rnd = new Random(seed + e);
      evictors.add(ex.submit(() -> {
        while (!done.get()) {
          if (rnd.nextInt(4) == 0) {
            m.runMaintenance();
          } else if (m.evict("race")) {
            evicted.incrementAndGet();
          }
          if (rnd.nextBoolean()) {
            Thread.sleep(rnd.nextInt(3));
          }
        }
        return null;
      }));
    }
    Random rnd = new Random(seed);
    for (int i = 1; i <= rounds; i++) {
      try (TenantHandle h = m.acquire("race")) {
        insert(h, i, "row " + i);
        if (rnd.nextInt(10) == 0) {
          h.sync();
        }
      }
      if (rnd.nextInt(3) == 0) {
        Thread.sleep(rnd.nextInt(2));
      }
    }
    done.set(true);
    for (Future<?> f : evictors) {
      f.get(60, TimeUnit.SECONDS);
    }
    ex.shutdown();
    try (TenantHandle h = m.acquire("race"); Connection c = h.reader(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), MIN(id), MAX(id) FROM items")) {
      rs.next();
      assertEquals(rounds, rs.getLong(1), "seed " + seed);
      assertEquals(1, rs.getLong(2));
      assertEquals(rounds, rs.getLong(3));
    }
    System.out.println("race: " + evicted.get() + " explicit evictions, " + m.metrics());
    assertTrue(evicted.get() + m.metrics().evictions(EvictionCause.IDLE) > 10, "evictions raced: " + evicted.get());
    assertEquals(0, m.metrics().evictionFailures());
  }

  @Test
  void evict_storeDown_keepsTenantHotAndLocal_thenSucceedsWhenBack() throws Exception {
    AtomicBoolean down = new AtomicBoolean();
    List<String> errors = new CopyOnWriteArrayList<>();
    TenantDatabases m = track(builder("cache")
        .options(fastOptions().withReplication(fastOptions().replication()
            .withShutdownSync(Duration.ofMillis(500), Duration.ofMillis(50))))
        .replicaFactory(id -> new TenantTesting.CountingReplica(FileReplicaClient.create(replicaRoot().resolve(id)),
            down, new AtomicInteger(), new AtomicInteger()))
        .listener(new TenantListener() {
          @Override
          public void error(String tenantId, String operation, Throwable error) {
            errors.add(tenantId + " " + operation);
          }
        })
        .build());
    try (TenantHandle h = m.acquire("flaky")) {
      insert(h, "one");
      h.sync();
      down.set(true);
      insert(h, "two (not yet uploaded)");
    }
    clock.advance(Duration.ofMinutes(10));
    m.runMaintenance();
    assertTrue(m.hotTenantIds().contains("flaky"), "eviction must not drop an unuploaded commit");
    assertEquals(1, m.metrics().evictionFailures());
    assertEquals(List.of("flaky evict"), errors);
    assertTrue(Files.exists(tmp.resolve("cache").resolve("flaky").resolve("flaky.db")));
    try (TenantHandle h = m.acquire("flaky")) {
      assertEquals(2, count(h), "still usable after the failed eviction");
    }
    down.set(false);
    clock.advance(Duration.ofMinutes(10));
    m.runMaintenance();
    assertEquals(Set.of(), m.hotTenantIds());
    assertEquals(List.of("one", "two (not yet uploaded)"), restoredValues("flaky"));
  }

  @Test
  void importTenant_existingFile_isReplicatedDurablyAndRefusedTwiceUnlessForced() throws Exception {
    Path src = tmp.resolve("legacy.db");
    try (Connection keep = DriverManager.getConnection("jdbc:sqlite:" + src)) {
      try (Statement st = keep.createStatement()) {
        st.execute("PRAGMA journal_mode = wal");
        st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
        for (int i = 0; i < 100; i++) {
          st.execute("INSERT INTO items (v) VALUES ('legacy " + i + "')");
        }
      }
      // The connection stays open, so the rows are still in the WAL: the import must see them.
      TenantDatabases m = manager();
      TxId txId = m.importTenant("moved-in", src);
      assertTrue(txId.compareTo(TxId.ONE) >= 0);
      assertEquals(100, restoredValues("moved-in").size(), "durable in the replica when import returns");
      try (TenantHandle h = m.acquire("moved-in")) {
        assertEquals(100, count(h));
        assertEquals(0, m.metrics().hotAcquires() - 1, "import leaves the tenant hot");
      }
      assertThrows(IllegalStateException.class, () -> m.importTenant("moved-in", src));
      assertTrue(m.evict("moved-in"));
      assertThrows(FileAlreadyExistsException.class, () -> m.importTenant("moved-in", src));
      Path other = tmp.resolve("other.db");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
        st.execute("INSERT INTO items (v) VALUES ('replacement')");
      }
      m.importTenant("moved-in", other, true);
      assertEquals(List.of("replacement"), restoredValues("moved-in"));
      assertTrue(m.evict("moved-in"));
      try (TenantHandle h = m.acquire("moved-in")) {
        assertEquals(List.of("replacement"), values(h));
      }
    }
    TenantDatabases m2 = track(builder("cache-2").build());
    assertThrows(java.io.IOException.class, () -> m2.importTenant("x", tmp.resolve("nope.db")));
  }

  @Test
  void close_withManyHotTenants_flushesEveryCommitAndDeletesLocalFiles() throws Exception {
    TenantDatabases m = builder("cache").build();
    for (int t = 0; t < 20; t++) {
      try (TenantHandle h = m.acquire("t" + t)) {
        for (int i = 0; i <= t; i++) {
          insert(h, "t" + t + " row " + i); // never synced explicitly
        }
      }
    }
    m.close();
    m.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> m.acquire("t0"));
    assertEquals(List.of(TenantDatabases.LOCK_FILE), filesUnder(tmp.resolve("cache")));
    assertEquals(20, m.metrics().evictions(EvictionCause.SHUTDOWN));
    for (int t = 0; t < 20; t++) {
      assertEquals(t + 1, restoredValues("t" + t).size(), "tenant t" + t);
      assertFalse(Files.exists(replicaRoot().resolve("t" + t).resolve(TenantLease.OBJECT)));
    }
  }

  @Test
  void handle_connections_singleWriterSeveralReadersPragmasApplied() throws Exception {
    TenantDatabases m = track(builder("cache")
        .options(fastOptions().withBusyTimeout(Duration.ofMillis(200)).withPragma("cache_size", "-1234"))
        .build());
    try (TenantHandle h1 = m.acquire("conn"); TenantHandle h2 = m.acquire("conn")) {
      Connection w = h1.writer();
      assertTrue(w == h1.writer(), "same writer while held");
      SQLException busy = assertThrows(SQLException.class, h2::writer);
      assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
      try (Statement st = w.createStatement()) {
        st.execute("INSERT INTO items (v) VALUES ('w')");
        assertEquals("wal", queryString(w, "PRAGMA journal_mode"));
        assertEquals("1", queryString(w, "PRAGMA foreign_keys"));
        assertEquals("-1234", queryString(w, "PRAGMA cache_size"));
        assertEquals("200", queryString(w, "PRAGMA busy_timeout"));
      }
      Connection r1 = h2.reader();
      Connection r2 = h2.reader();
      assertNotEquals(r1, r2);
      assertEquals("1", queryString(r1, "SELECT COUNT(*) FROM items"));
      assertThrows(SQLException.class, () -> r2.createStatement().execute("INSERT INTO items (v) VALUES ('no')"));
      r1.close();
      assertTrue(r1.isClosed());
      assertThrows(SQLException.class, r1::createStatement);
      w.setAutoCommit(false);
      try (Statement st = w.createStatement()) {
        st.execute("INSERT INTO items (v) VALUES ('rolled back on return')");
      }
      w.close();
      Connection w2 = h2.writer(); // now free
      assertEquals("1", queryString(w2, "SELECT COUNT(*) FROM items"));
      assertTrue(w2.getAutoCommit());
      TxId synced = h2.sync();
      assertTrue(h2.status().replicatedTxId().compareTo(synced) >= 0);
    }
    assertEquals(0, m.metrics().openHandles());
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
