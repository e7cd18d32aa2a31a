package dev.runnel.tenant;

import dev.runnel.testing.TestClock;
import static dev.runnel.tenant.TenantTesting.SCHEMA;
import static dev.runnel.tenant.TenantTesting.allLtx;
import static dev.runnel.tenant.TenantTesting.count;
import static dev.runnel.tenant.TenantTesting.fastOptions;
import static dev.runnel.tenant.TenantTesting.fileUrl;
import static dev.runnel.tenant.TenantTesting.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold path's shortcuts (one listing, no fsync of the cache file) and what a hot tenant holds open. */
class TenantColdStartTest {
  @TempDir Path tmp;

  private TenantDatabases.Builder builder(String cache) {
    return TenantDatabases.builder()
        .replicaBase(fileUrl(tmp.resolve("replica")))
        .cacheDirectory(tmp.resolve(cache))
        .holderId("test-holder")
        .options(fastOptions())
        .schemaInitializer(SCHEMA);
  }

  private static void fill(TenantDatabases m, String id, int rows) throws Exception {
    try (TenantHandle h = m.acquire(id)) {
      for (int i = 0; i < rows; i++) {
        insert(h, "row " + i + " " + "x".repeat(200));
      }
      h.sync();
    }
  }

  @Test
  void acquire_afterCrashLeftTornCacheFiles_restoresFromReplica() throws Exception {
    try (TenantDatabases a = builder("cache-a").build()) {
      fill(a, "acme", 300);
    }
    // What a crash right after an unsynced restore could leave behind: a torn database (first
    // half of a page-aligned file, then garbage), a WAL and local L0 files of garbage.
    Path dir = tmp.resolve("cache-b").resolve("acme");
    Files.createDirectories(dir.resolve(".acme.db-litestream/ltx/0"));
    byte[] torn = new byte[64 * 4096];
    byte[] header = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(header, 0, torn, 0, header.length);
    Arrays.fill(torn, 32 * 4096, torn.length, (byte) 0x5a);
    Files.write(dir.resolve("acme.db"), torn);
    Files.write(dir.resolve("acme.db-wal"), new byte[] {1, 2, 3});
    Files.write(dir.resolve(".acme.db-litestream/ltx/0/0000000000000099-0000000000000099.ltx"), new byte[100]);

    try (TenantDatabases b = builder("cache-b").build(); TenantHandle h = b.acquire("acme")) {
      assertEquals(300, count(h));
      try (Connection c = h.reader(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertEquals("ok", rs.getString(1));
      }
      insert(h, "after the crash");
      TxId t = h.sync();
      assertTrue(t.compareTo(TxId.ONE) > 0);
    }
    try (TenantDatabases c = builder("cache-c").build(); TenantHandle h = c.acquire("acme")) {
      assertEquals(301, count(h));
    }
  }

  @Test
  void acquire_restoredTenant_listsReplicaOnceAndFirstSyncIsIncremental() throws Exception {
    try (TenantDatabases a = builder("cache-a").build()) {
      fill(a, "acme", 400); // ≈ 100 KB of pages
    }
    AtomicReference<TenantTesting.CountingReplica> seen = new AtomicReference<>();
    TenantDatabases.Builder b = builder("cache-b").replicaFactory(id -> {
      TenantTesting.CountingReplica r = new TenantTesting.CountingReplica(
          FileReplicaClient.create(tmp.resolve("replica").resolve(id)), new AtomicBoolean(), new AtomicInteger(),
          new AtomicInteger());
      seen.set(r);
      return r;
    });
    try (TenantDatabases m = b.build()) {
      TxId before;
      try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("replica").resolve("acme"))) {
        before = allLtx(r).stream().map(LtxFileInfo::maxTxId).max(TxId::compareTo).orElseThrow();
      }
      try (TenantHandle h = m.acquire("acme")) {
        assertEquals(2 * (LtxFileInfo.MAX_LEVEL + 1), seen.get().lists.get(),
            "two listings of every level (the speculative restore's, the check under the lease) and none more "
                + "for the replication start");
        assertEquals(400, count(h));
        insert(h, "one more");
        TxId after = h.sync();
        assertTrue(after.compareTo(before) > 0, "TxIds continue after the replica's " + before + ": " + after);
      }
      try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("replica").resolve("acme"))) {
        long biggestNew = allLtx(r).stream().filter(f -> f.level() == 0 && f.minTxId().compareTo(before) > 0)
            .mapToLong(LtxFileInfo::size).max().orElseThrow();
        assertTrue(biggestNew < 40_000, "first syncs after the restore are incremental, not full-page: " + biggestNew);
      }
    }
  }

  @Test
  void acquire_replicaChangesWhileLeaseIsTaken_restoresAgainFromListingUnderLease() throws Exception {
    Path replica = tmp.resolve("replica").resolve("acme");
    try (TenantDatabases a = builder("cache-a").build()) {
      fill(a, "acme", 10);
    }
    Path early = tmp.resolve("early");
    copyTree(replica, early);
    try (TenantDatabases a = builder("cache-a").build()) {
      fill(a, "acme", 5);
    }
    // The replica as the speculative restore will see it (10 rows); the files of the 5 later rows
    // land while the lease is being taken, as a late upload of a previous holder would.
    Path late = tmp.resolve("late");
    copyTree(replica, late);
    TenantFiles.deleteTree(replica);
    copyTree(early, replica);
    AtomicInteger leaseCreates = new AtomicInteger();
    TenantDatabases.Builder b = builder("cache-b").replicaFactory(id -> new TenantTesting.CountingReplica(
        FileReplicaClient.create(tmp.resolve("replica").resolve(id)), new AtomicBoolean(), new AtomicInteger(),
        new AtomicInteger()) {
      @Override
      public java.util.Optional<dev.runnel.replica.ConditionalStore> conditionalStore() {
        dev.runnel.replica.ConditionalStore real = super.conditionalStore().orElseThrow();
        return java.util.Optional.of(new dev.runnel.replica.ConditionalStore() {
          @Override
          public java.util.Optional<Versioned> read(String name) throws IOException {
            return real.read(name);
          }

          @Override
          public java.util.Optional<String> tryCreate(String name, byte[] data) throws IOException {
            if (leaseCreates.getAndIncrement() == 0) {
              long deadline = System.nanoTime() + 10_000_000_000L;
              while (lists.get() < LtxFileInfo.MAX_LEVEL + 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the speculative restore has listed
              }
              copyTree(late, replica);
            }
            return real.tryCreate(name, data);
          }

          @Override
          public java.util.Optional<String> tryReplace(String name, byte[] data, String etag) throws IOException {
            return real.tryReplace(name, data, etag);
          }

          @Override
          public boolean deleteIfUnchanged(String name, String etag) throws IOException {
            return real.deleteIfUnchanged(name, etag);
          }
        });
      }
    });
    try (TenantDatabases m = b.build(); TenantHandle h = m.acquire("acme")) {
      assertEquals(15, count(h), "the rows uploaded while the lease was taken are there");
      insert(h, "next");
      h.sync();
    }
    try (TenantDatabases c = builder("cache-c").build(); TenantHandle h = c.acquire("acme")) {
      assertEquals(16, count(h));
    }
  }

  /** Copies files under {@code from} to the same relative paths under {@code to}, replacing. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else if (!p.getFileName().toString().startsWith("lease") && !p.getFileName().toString().startsWith(".")) {
          Files.copy(p, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Test
  void hotTenant_descriptors_explainedByFileAndIdleConnectionsGiveTheirsBack() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
    TestClock clock = new TestClock(java.time.Instant.parse("2030-01-01T00:00:00Z"));
    TenantOptions options = fastOptions().withSweepInterval(Duration.ofSeconds(10)).withIdleTimeout(Duration.ofMinutes(5));
    try (TenantDatabases m = builder("cache").clock(clock).options(options).build()) {
      try (TenantHandle h = m.acquire("acme")) {
        insert(h, "x");
        assertEquals(1, count(h));
        h.sync();
      }
      Path dir = m.cacheDirectory().resolve("acme");
      Map<String, Integer> pooled = TenantTesting.descriptorsUnder(dir);
      System.out.println("descriptors of one hot tenant, writer and one reader pooled: " + pooled);
      assertEquals(List.of("acme.db", "acme.db-shm", "acme.db-wal"), List.copyOf(pooled.keySet()),
          "nothing but the database, its WAL and its shared memory (no LTX files, no temp files)");
      assertEquals(1, pooled.get("acme.db-shm"), "SQLite shares one -shm descriptor per process");
      // db: engine connection, write barrier, engine's page reader, writer, reader; WAL: engine
      // connection, write barrier (it pins the WAL while the read transaction moves, and bumps
      // _litestream_seq), writer, reader.
      assertTrue(pooled.values().stream().mapToInt(Integer::intValue).sum() <= 10, "was " + pooled);

      clock.advance(Duration.ofSeconds(11));
      m.runMaintenance();
      Map<String, Integer> idle = TenantTesting.descriptorsUnder(dir);
      System.out.println("descriptors of one hot tenant unused for a sweep interval: " + idle);
      assertEquals(2, idle.get("acme.db-wal"), "only the engine's two connections keep the WAL open");
      assertTrue(m.tenantInfo("acme").isPresent(), "still hot");
      try (TenantHandle h = m.acquire("acme")) { // connections reopen on demand
        insert(h, "y");
        assertEquals(2, count(h));
      }
    }
  }
}
