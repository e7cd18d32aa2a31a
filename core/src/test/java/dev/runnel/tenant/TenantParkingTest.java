package dev.runnel.tenant;

import static dev.runnel.tenant.TenantTesting.SCHEMA;
import static dev.runnel.tenant.TenantTesting.allLtx;
import static dev.runnel.tenant.TenantTesting.descriptorsUnder;
import static dev.runnel.tenant.TenantTesting.fastOptions;
import static dev.runnel.tenant.TenantTesting.fileUrl;
import static dev.runnel.tenant.TenantTesting.insert;
import static dev.runnel.tenant.TenantTesting.openDescriptors;
import static dev.runnel.tenant.TenantTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/** Parking idle hot tenants (no descriptors) and unparking them on the next acquire. */
class TenantParkingTest {
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

  private TenantDatabases manager(String cache, TenantOptions options) throws Exception {
    TenantDatabases m = TenantDatabases.builder()
        .replicaBase(fileUrl(replicaRoot()))
        .cacheDirectory(tmp.resolve(cache))
        .clock(clock)
        .options(options)
        .schemaInitializer(SCHEMA)
        .build();
    managers.add(m);
    return m;
  }

  private TenantDatabases manager() throws Exception {
    return manager("cache", fastOptions());
  }

  private List<String> restoredValues(String tenant) throws Exception {
    return TenantTesting.restoredValues(replicaRoot(), tenant, tmp);
  }

  private List<LtxFileInfo> replicaFiles(String tenant) throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(replicaRoot().resolve(tenant))) {
      return allLtx(r);
    }
  }

  /** Acquires {@code tenant}, inserts {@code values}, closes the handle and parks the tenant. */
  private static void writeAndPark(TenantDatabases m, String tenant, String... values) throws Exception {
    try (TenantHandle h = m.acquire(tenant)) {
      for (String v : values) {
        insert(h, v);
      }
    }
    assertTrue(m.parkNow(tenant), tenant + " parked");
  }

  private static long snapshots(List<LtxFileInfo> files) {
    return files.stream().filter(f -> f.level() == LtxFileInfo.SNAPSHOT_LEVEL).count();
  }

  private static TenantInfo.State state(TenantDatabases m, String tenant) {
    return m.tenantInfo(tenant).orElseThrow().state();
  }

  @Test
  void runMaintenance_unusedPastParkAfter_parksWithoutDescriptorsAndStaysHot() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
    TenantDatabases m = manager();
    try (TenantHandle h = m.acquire("acme")) {
      insert(h, "x");
      assertEquals(List.of("x"), values(h)); // a reader is pooled too
    }
    Path dir = m.cacheDirectory().resolve("acme");
    Map<String, Integer> open = descriptorsUnder(dir);
    long processBefore = openDescriptors();
    assertTrue(open.values().stream().mapToInt(Integer::intValue).sum() >= 5, "in use: " + open);

    clock.advance(Duration.ofSeconds(29));
    m.runMaintenance();
    assertEquals(TenantInfo.State.HOT, state(m, "acme"), "not unused for parkAfter yet");
    clock.advance(Duration.ofSeconds(2));
    m.runMaintenance();

    Map<String, Integer> parked = descriptorsUnder(dir);
    long processAfter = openDescriptors();
    System.out.println("descriptors of one tenant in use " + open + ", parked " + parked + "; process "
        + processBefore + " -> " + processAfter);
    assertEquals(Map.of(), parked, "a parked tenant holds no descriptor");
    // Only the SQLite files' descriptors: one on a local LTX file of the meta directory may be a
    // sync or upload in flight that closes between the two counts.
    int sqliteFiles = open.entrySet().stream().filter(e -> !e.getKey().startsWith("."))
        .mapToInt(Map.Entry::getValue).sum();
    assertTrue(processAfter <= processBefore - sqliteFiles,
        "process descriptors " + processBefore + " -> " + processAfter + " (tenant's " + open + ")");
    assertEquals(TenantInfo.State.PARKED, state(m, "acme"));
    assertTrue(m.tenantInfo("acme").orElseThrow().replication().isEmpty());
    assertTrue(m.hotTenantIds().contains("acme"), "parked tenants are still hot");
    assertTrue(Files.exists(dir.resolve("acme.db")), "local files stay");
    assertTrue(Files.exists(replicaRoot().resolve("acme").resolve(TenantLease.OBJECT)), "lease kept");
    TenantMetrics mt = m.metrics();
    assertEquals(1, mt.parkedTenants());
    assertEquals(1, mt.parks());
    assertEquals(1, mt.hotTenants());
    assertEquals(1, mt.coldStarts());
    assertEquals(0, mt.evictions().values().stream().mapToLong(Long::longValue).sum());

    try (TenantHandle h = m.acquire("acme")) {
      assertEquals(List.of("x"), values(h));
    }
    assertEquals(1, m.metrics().coldStarts(), "unparking is not a cold start");
    assertEquals(1, m.metrics().unparks());
    assertEquals(1, m.metrics().unparkLatency().count());
    assertEquals(0, m.metrics().parkedTenants());
    assertEquals(TenantInfo.State.HOT, state(m, "acme"));
  }

  @Test
  void runMaintenance_parkAfterZero_neverParks() throws Exception {
    TenantDatabases m = manager("cache", fastOptions().withParkAfter(TenantOptions.NEVER_PARK));
    m.acquire("acme").close();
    clock.advance(Duration.ofMinutes(4));
    m.runMaintenance();
    assertEquals(TenantInfo.State.HOT, state(m, "acme"));
    assertEquals(0, m.metrics().parks());
    assertThrows(IllegalArgumentException.class, () -> fastOptions().withParkAfter(Duration.ofSeconds(-1)));
  }

  @Test
  void runMaintenance_storeDownWhileParking_keepsTenantOpenAndParksWhenBack() throws Exception {
    AtomicBoolean down = new AtomicBoolean();
    List<String> errors = new CopyOnWriteArrayList<>();
    TenantDatabases m = TenantDatabases.builder()
        .replicaFactory(id -> new TenantTesting.CountingReplica(FileReplicaClient.create(replicaRoot().resolve(id)),
            down, new AtomicInteger(), new AtomicInteger()))
        .cacheDirectory(tmp.resolve("cache"))
        .clock(clock)
        .options(fastOptions().withReplication(fastOptions().replication()
            .withShutdownSync(Duration.ofMillis(500), Duration.ofMillis(50))))
        .schemaInitializer(SCHEMA)
        .listener(new TenantListener() {
          @Override
          public void error(String tenantId, String operation, Throwable error) {
            errors.add(tenantId + " " + operation);
          }
        })
        .build();
    managers.add(m);
    try (TenantHandle h = m.acquire("flaky")) {
      insert(h, "one");
      h.sync();
      down.set(true);
      insert(h, "two (not yet uploaded)");
    }
    clock.advance(Duration.ofSeconds(31));
    m.runMaintenance();
    assertEquals(TenantInfo.State.HOT, state(m, "flaky"), "parking must not stop a tenant with unuploaded commits");
    assertEquals(1, m.metrics().parkFailures());
    assertEquals(0, m.metrics().parks());
    assertEquals(List.of("flaky park"), errors);
    try (TenantHandle h = m.acquire("flaky")) {
      assertEquals(List.of("one", "two (not yet uploaded)"), values(h), "still usable after the failed parking");
    }
    down.set(false);
    clock.advance(Duration.ofSeconds(31));
    m.runMaintenance();
    assertEquals(TenantInfo.State.PARKED, state(m, "flaky"));
    assertEquals(List.of("one", "two (not yet uploaded)"), restoredValues("flaky"));
  }

  @Test
  void acquire_parkedTenant_continuesTxIdsWithIncrementalFirstSync() throws Exception {
    TenantDatabases m = manager();
    TxId before;
    try (TenantHandle h = m.acquire("acme")) {
      for (int i = 0; i < 20; i++) {
        insert(h, "row " + i);
      }
      before = h.sync();
    }
    List<LtxFileInfo> filesBefore = replicaFiles("acme");
    assertTrue(m.parkNow("acme"));
    try (TenantHandle h = m.acquire("acme")) {
      insert(h, "after unpark");
      TxId after = h.sync();
      assertEquals(0, h.status().fullPageSyncCount(), "the first sync after unparking is incremental");
      assertTrue(after.isAfter(before), before + " -> " + after);
      assertEquals(21, values(h).size());
      assertEquals(values(h), restoredValues("acme"));
    }
    List<LtxFileInfo> filesAfter = replicaFiles("acme");
    assertEquals(snapshots(filesBefore), snapshots(filesAfter), "no snapshot uploaded");
    for (LtxFileInfo f : filesAfter) {
      if (!filesBefore.contains(f)) {
        assertTrue(f.name().min().isAfter(before), "new file " + f + " continues after " + before);
      }
    }
  }

  @Test
  void acquire_writeParkUnparkCycles_restoreHasEveryAcknowledgedWrite() throws Exception {
    TenantDatabases m = manager();
    List<String> expected = new ArrayList<>();
    for (int cycle = 0; cycle < 5; cycle++) {
      try (TenantHandle h = m.acquire("acme")) {
        for (int i = 0; i < 3; i++) {
          String v = "c" + cycle + "-" + i;
          insert(h, v);
          expected.add(v);
        }
        h.sync();
        if (cycle > 0) { // cycle 0 created the tenant: its first sync is full-page by nature
          assertEquals(0, h.status().fullPageSyncCount(), "cycle " + cycle);
        }
      }
      clock.advance(Duration.ofSeconds(31));
      m.runMaintenance();
      assertEquals(TenantInfo.State.PARKED, state(m, "acme"), "cycle " + cycle);
      assertEquals(expected, restoredValues("acme"), "parked after cycle " + cycle);
    }
    assertEquals(5, m.metrics().parks());
    assertEquals(4, m.metrics().unparks());
    m.close();
    assertEquals(expected, restoredValues("acme"));
  }

  @Test
  void acquire_fileModifiedWhileParked_firstSyncIsFullPageAndRestoreIsCorrect() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "through the manager");
    Path db = m.cacheDirectory().resolve("acme").resolve("acme.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("INSERT INTO items (v) VALUES ('behind its back')");
    }
    try (TenantHandle h = m.acquire("acme")) {
      h.sync();
      assertTrue(h.status().fullPageSyncCount() >= 1, "a changed file voids the clean state: " + h.status());
      insert(h, "after");
      h.sync();
      assertEquals(List.of("through the manager", "behind its back", "after"), values(h));
    }
    assertEquals(List.of("through the manager", "behind its back", "after"), restoredValues("acme"));
  }

  @Test
  void acquire_fiftyConcurrentAcquiresOfParkedTenant_unparkOnce() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "x");
    int n = 50;
    ExecutorService ex = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(ex.submit(() -> {
          go.await();
          try (TenantHandle h = m.acquire("acme")) {
            return values(h);
          }
        }));
      }
      go.countDown();
      for (Future<List<String>> f : fs) {
        assertEquals(List.of("x"), f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      ex.shutdownNow();
    }
    assertEquals(1, m.metrics().unparks(), m.metrics().toString());
    assertEquals(1, m.metrics().coldStarts());
    assertEquals(TenantInfo.State.HOT, state(m, "acme"));
  }

  @Test
  void acquire_racingWithParking_neverLosesAWriteOrFails() throws Exception {
    // A real clock and a 1 ms parkAfter: every maintenance pass parks the tenant if it can.
    TenantDatabases m = TenantDatabases.builder()
        .replicaBase(fileUrl(replicaRoot()))
        .cacheDirectory(tmp.resolve("cache"))
        .options(fastOptions().withParkAfter(Duration.ofMillis(1)))
        .schemaInitializer(SCHEMA)
        .build();
    managers.add(m);
    long seed = System.nanoTime();
    int rounds = 300;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger parkedByHand = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(2);
    List<Future<?>> parkers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      Random rnd = new Random(seed + p);
      parkers.add(ex.submit(() -> {
        while (!done.get()) {
          if (rnd.nextBoolean()) {
            m.runMaintenance();
          } else if (m.parkNow("race")) {
            parkedByHand.incrementAndGet();
          }
          if (rnd.nextBoolean()) {
            Thread.sleep(rnd.nextInt(2));
          }
        }
        return null;
      }));
    }
    Random rnd = new Random(seed);
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      try (TenantHandle h = m.acquire("race")) {
        insert(h, i, "row " + i);
        expected.add("row " + i);
        if (rnd.nextInt(10) == 0) {
          h.sync();
        }
      }
      if (rnd.nextInt(3) == 0) {
        Thread.sleep(rnd.nextInt(2));
      }
    }
    done.set(true);
    for (Future<?> f : parkers) {
      f.get(60, TimeUnit.SECONDS);
    }
    ex.shutdown();
    TenantMetrics mt = m.metrics();
    System.out.println("park race (seed " + seed + "): " + mt);
    try (TenantHandle h = m.acquire("race")) {
      assertEquals(expected, values(h), "seed " + seed);
      h.sync();
    }
    assertEquals(expected, restoredValues("race"), "seed " + seed);
    assertTrue(mt.parks() > 10, "parks raced: " + mt.parks());
    assertEquals(0, mt.parkFailures());
    assertEquals(0, mt.unparkFailures());
    assertEquals(1, mt.coldStarts());
  }

  @Test
  void parkedTenant_leaseKeepsBeingRenewed_otherManagerCannotTakeIt() throws Exception {
    // A real clock: the renewal timer (every TTL/3) must keep running while the tenant is parked.
    TenantOptions options = fastOptions().withLeaseTtl(Duration.ofMillis(900));
    TenantDatabases a = TenantDatabases.builder().replicaBase(fileUrl(replicaRoot()))
        .cacheDirectory(tmp.resolve("a")).options(options).schemaInitializer(SCHEMA).holderId("a").build();
    managers.add(a);
    try (TenantHandle h = a.acquire("acme")) {
      insert(h, "a's row");
    }
    assertTrue(a.parkNow("acme"));
    Instant firstExpiry = a.tenantInfo("acme").orElseThrow().leaseExpiresAt().orElseThrow();
    Thread.sleep(2_000); // more than two TTLs
    Instant laterExpiry = a.tenantInfo("acme").orElseThrow().leaseExpiresAt().orElseThrow();
    assertTrue(laterExpiry.isAfter(firstExpiry), firstExpiry + " -> " + laterExpiry);
    TenantDatabases b = TenantDatabases.builder().replicaBase(fileUrl(replicaRoot()))
        .cacheDirectory(tmp.resolve("b")).options(options).schemaInitializer(SCHEMA).holderId("b").build();
    managers.add(b);
    TenantBusyException busy = assertThrows(TenantBusyException.class, () -> b.acquire("acme"));
    assertEquals("a", busy.holder());
    assertEquals(TenantInfo.State.PARKED, state(a, "acme"));
    try (TenantHandle h = a.acquire("acme")) {
      insert(h, "a's second row");
      h.sync();
    }
    assertEquals(List.of("a's row", "a's second row"), restoredValues("acme"));
  }

  @Test
  void evict_parkedTenant_deletesFilesAndReleasesLeaseWithoutUploading() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "kept");
    List<LtxFileInfo> files = replicaFiles("acme");
    assertTrue(m.evict("acme"));
    assertFalse(m.hotTenantIds().contains("acme"));
    assertFalse(Files.exists(m.cacheDirectory().resolve("acme")), "local files deleted");
    assertFalse(Files.exists(replicaRoot().resolve("acme").resolve(TenantLease.OBJECT)), "lease released");
    assertEquals(files, replicaFiles("acme"), "nothing uploaded: parking confirmed everything");
    assertEquals(1, m.metrics().evictions(EvictionCause.EXPLICIT));
    assertEquals(0, m.metrics().parkedTenants());
    assertEquals(List.of("kept"), restoredValues("acme"));
    try (TenantHandle h = m.acquire("acme")) { // cold again
      assertEquals(List.of("kept"), values(h));
    }
    assertEquals(2, m.metrics().coldStarts());
  }

  @Test
  void evict_parkedTenantWithUnknownPosition_reopensAndUploadsBeforeDeleting() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "through the manager");
    // What a parked tenant with an unknown position may hold locally that the replica lacks.
    Path db = m.cacheDirectory().resolve("acme").resolve("acme.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("INSERT INTO items (v) VALUES ('local only')");
    }
    m.forgetParkedPosition("acme");
    assertTrue(m.evict("acme"));
    assertFalse(Files.exists(m.cacheDirectory().resolve("acme")));
    assertEquals(List.of("through the manager", "local only"), restoredValues("acme"));
  }

  @Test
  void evict_parkedTenantWrittenBehindItsBack_uploadsTheWriteBeforeDeleting() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "through the manager");
    Path db = m.cacheDirectory().resolve("acme").resolve("acme.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("INSERT INTO items (v) VALUES ('behind its back')");
    }
    assertTrue(m.evict("acme"));
    assertEquals(List.of("through the manager", "behind its back"), restoredValues("acme"));
  }

  @Test
  void parkNow_connectionOutsideTheManagerOpen_positionNotTrusted() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "plain", "one");
    assertTrue(m.parkedPosition("plain").isPresent(), "nothing else had the file open");
    try (TenantHandle h = m.acquire("acme")) {
      insert(h, "a");
    }
    Path db = m.cacheDirectory().resolve("acme").resolve("acme.db");
    try (Connection outside = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = outside.createStatement()) {
      st.execute("SELECT count(*) FROM items");
      assertTrue(m.parkNow("acme"));
      // That connection may write at any moment, even between parking's last capture and its
      // file stamp: the WAL it keeps open says so, and the position must not be trusted.
      assertTrue(m.parkedPosition("acme").isEmpty());
      st.execute("INSERT INTO items (v) VALUES ('outside')");
    }
    assertTrue(m.evict("acme"));
    assertEquals(List.of("a", "outside"), restoredValues("acme"));
  }

  @Test
  void acquire_parkedTenantWithUnknownPosition_listsReplicaAndContinues() throws Exception {
    TenantDatabases m = manager();
    writeAndPark(m, "acme", "one");
    m.forgetParkedPosition("acme");
    try (TenantHandle h = m.acquire("acme")) {
      insert(h, "two");
      h.sync();
      assertEquals(List.of("one", "two"), values(h));
    }
    assertEquals(List.of("one", "two"), restoredValues("acme"));
    assertEquals(1, m.metrics().unparks());
  }

  @Test
  void runMaintenance_parkedTenantPastIdleTimeout_isEvicted() throws Exception {
    TenantDatabases m = manager();
    m.acquire("acme").close();
    clock.advance(Duration.ofMinutes(1));
    m.runMaintenance();
    assertEquals(TenantInfo.State.PARKED, state(m, "acme"));
    clock.advance(Duration.ofMinutes(5));
    m.runMaintenance();
    assertEquals(1, m.metrics().evictions(EvictionCause.IDLE));
    assertTrue(m.tenantInfo("acme").isEmpty());
  }

  @Test
  void close_withParkedTenants_releasesLeasesAndDeletesLocalFiles() throws Exception {
    TenantDatabases m = manager();
    for (String id : List.of("p1", "p2", "open")) {
      try (TenantHandle h = m.acquire(id)) {
        insert(h, id);
      }
    }
    assertTrue(m.parkNow("p1"));
    assertTrue(m.parkNow("p2"));
    assertEquals(2, m.metrics().parkedTenants());
    m.close();
    for (String id : List.of("p1", "p2", "open")) {
      assertFalse(Files.exists(replicaRoot().resolve(id).resolve(TenantLease.OBJECT)), id + ": lease released");
      assertEquals(List.of(id), restoredValues(id));
    }
    assertEquals(List.of(), TenantTesting.filesUnder(tmp.resolve("cache")).stream()
        .filter(f -> !f.equals(TenantDatabases.LOCK_FILE)).toList(), "no local files left");
    TenantDatabases again = manager("cache2", fastOptions());
    try (TenantHandle h = again.acquire("p1")) {
      assertEquals(List.of("p1"), values(h));
    }
    assertEquals(1, again.metrics().coldStarts());
  }
}
