package dev.runnel.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.s3.FaultProxy;
import dev.runnel.replica.s3.S3ReplicaClient;
import dev.runnel.replica.s3.S3ServerExtension;
import dev.runnel.replica.s3.S3TestServer;
import dev.runnel.replicate.ReplicationOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants on S3 (S3Proxy on loopback, behind the write-serialising {@link FaultProxy} because
 * S3Proxy alone evaluates conditional PUTs non-atomically): creation, eviction, cold start from
 * S3, and a lease conflict between two managers.
 */
class TenantS3Test {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
  static FaultProxy front;
  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    front = FaultProxy.start(S3.server().endpoint()).serializeWrites(true);
  }

  @AfterAll
  static void stop() throws Exception {
    front.close();
  }

  private static TenantOptions options() {
    return TenantOptions.defaults().withSweepInterval(Duration.ofHours(1))
        .withReplication(ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20))
            .withUploadRetryMax(Duration.ofMillis(200)).withShutdownSync(Duration.ofSeconds(10), Duration.ofMillis(50)));
  }

  private TenantDatabases manager(String name, String bucket, AtomicInteger clients) throws Exception {
    return manager(name, bucket, clients, new java.util.concurrent.ConcurrentHashMap<>());
  }

  /** {@code made}: the S3 clients the manager asked for, by tenant (the newest). */
  private TenantDatabases manager(String name, String bucket, AtomicInteger clients,
      java.util.Map<String, S3ReplicaClient> made) throws Exception {
    Function<String, ReplicaClient> factory = id -> {
      clients.incrementAndGet();
      S3ReplicaClient c =
          S3ReplicaClient.create(S3TestServer.config(front.endpoint(), bucket, "tenants/" + id).build());
      made.put(id, c);
      return c;
    };
    return TenantDatabases.builder()
        .replicaFactory(factory)
        .cacheDirectory(tmp.resolve("cache-" + name))
        .holderId("holder-" + name)
        .options(options())
        .schemaInitializer((id, c) -> {
          try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
          }
        })
        .build();
  }

  private static long count(TenantHandle h) throws Exception {
    try (Connection c = h.reader(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void lease_freeOrReleasedTenant_oneHttpRequest() throws Exception {
    String bucket = S3.server().newBucket();
    java.time.Clock clock = java.time.Clock.systemUTC();
    Duration ttl = Duration.ofSeconds(30);
    try (S3ReplicaClient warm = S3ReplicaClient.create(S3TestServer.config(front.endpoint(), bucket, "tenants/w").build())) {
      warm.init();
      TenantLease.acquire("w", warm.conditionalStore().orElseThrow(), "h", ttl, clock).release(); // probe
    }
    for (int round = 0; round < 3; round++) {
      try (S3ReplicaClient c = S3ReplicaClient.create(S3TestServer.config(front.endpoint(), bucket, "tenants/t").build())) {
        c.init();
        long attempts = c.stats().httpAttempts();
        TenantLease l = TenantLease.acquire("t", c.conditionalStore().orElseThrow(), "holder-" + round, ttl, clock);
        long used = c.stats().httpAttempts() - attempts;
        // A brand-new tenant costs an If-Match on the tombstone etag that finds no object, then
        // the If-None-Match create; a released one is the If-Match alone.
        assertEquals(round == 0 ? 2 : 1, used, "round " + round + ": HTTP requests to take the lease");
        assertEquals(0, c.stats().operations(dev.runnel.replica.s3.S3Stats.Op.GET), "nothing read back");
        attempts = c.stats().httpAttempts();
        l.renew();
        assertEquals(1, c.stats().httpAttempts() - attempts, "a renewal is one conditional PUT");
        l.checkWritable(true);
        assertFalse(l.isLost());
        l.release();
      }
    }
  }

  @Test
  void coldStart_fromS3_restoresEvictedTenantAndLeasesConflict() throws Exception {
    String bucket = S3.server().newBucket();
    AtomicInteger clientsA = new AtomicInteger();
    AtomicInteger clientsB = new AtomicInteger();
    try (TenantDatabases a = manager("a", bucket, clientsA); TenantDatabases b = manager("b", bucket, clientsB)) {
      try (TenantHandle h = a.acquire("s3-org"); Connection w = h.writer();
          PreparedStatement ps = w.prepareStatement("INSERT INTO items (v) VALUES (?)")) {
        w.setAutoCommit(false);
        for (int i = 0; i < 500; i++) {
          ps.setString(1, "row " + i);
          ps.executeUpdate();
        }
        w.commit();
        w.setAutoCommit(true);
        h.sync();
      }
      assertTrue(a.tenantInfo("s3-org").orElseThrow().created());
      TenantBusyException busy = assertThrows(TenantBusyException.class, () -> b.acquire("s3-org"));
      assertEquals("holder-a", busy.holder());
      assertTrue(a.evict("s3-org"));
      assertFalse(S3.server().blobStore().list(bucket).isEmpty());

      long t0 = System.nanoTime();
      try (TenantHandle h = b.acquire("s3-org")) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("S3 cold start (restore of 500 rows through S3Proxy): " + ms + " ms");
        assertEquals(500, count(h));
        assertFalse(b.tenantInfo("s3-org").orElseThrow().created());
        try (Connection w = h.writer(); Statement st = w.createStatement()) {
          st.execute("INSERT INTO items (v) VALUES ('from b')");
        }
        h.sync();
      }
      assertThrows(TenantBusyException.class, () -> a.acquire("s3-org"));
      assertEquals(1, a.metrics().leaseConflicts());
      int before = clientsB.get();
      for (int i = 0; i < 20; i++) {
        b.acquire("s3-org").close();
      }
      assertEquals(before, clientsB.get(), "hot acquires reuse the tenant");
      assertEquals(2, b.metrics().coldStartFailures() + b.metrics().coldStarts(), "one refused, one restored");
    } // shutdown of both flushes and releases
    AtomicInteger clientsC = new AtomicInteger();
    try (TenantDatabases c = manager("c", bucket, clientsC); TenantHandle h = c.acquire("s3-org")) {
      assertEquals(501, count(h));
    }
  }

  @Test
  void park_onS3_keepsLeaseAndUnparksWithoutListingOrFullPageUpload() throws Exception {
    String bucket = S3.server().newBucket();
    java.util.Map<String, S3ReplicaClient> made = new java.util.concurrent.ConcurrentHashMap<>();
    try (TenantDatabases a = manager("a", bucket, new AtomicInteger(), made);
        TenantDatabases b = manager("b", bucket, new AtomicInteger())) {
      try (TenantHandle h = a.acquire("parked-org"); Connection w = h.writer(); Statement st = w.createStatement()) {
        st.execute("INSERT INTO items (v) VALUES ('before parking')");
        h.sync();
      }
      assertTrue(a.parkNow("parked-org"));
      assertEquals(TenantInfo.State.PARKED, a.tenantInfo("parked-org").orElseThrow().state());
      assertThrows(TenantBusyException.class, () -> b.acquire("parked-org"), "the parked tenant keeps its lease");

      dev.runnel.replica.s3.S3Stats stats = made.get("parked-org").stats();
      long lists = stats.operations(dev.runnel.replica.s3.S3Stats.Op.LIST);
      try (TenantHandle h = a.acquire("parked-org")) {
        assertEquals(lists, stats.operations(dev.runnel.replica.s3.S3Stats.Op.LIST),
            "unparking continues from the known TxId without listing the replica");
        try (Connection w = h.writer(); Statement st = w.createStatement()) {
          st.execute("INSERT INTO items (v) VALUES ('after unparking')");
        }
        h.sync();
        assertEquals(0, h.status().fullPageSyncCount(), "incremental first sync after unparking");
        assertEquals(2, count(h));
      }
      assertEquals(1, a.metrics().unparks());
      assertEquals(1, a.metrics().coldStarts());
    } // shutdown flushes and releases
    try (TenantDatabases c = manager("c", bucket, new AtomicInteger()); TenantHandle h = c.acquire("parked-org")) {
      assertEquals(2, count(h), "restored from S3 with both rows");
    }
  }
}
