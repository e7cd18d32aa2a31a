package dev.runnel.tenant;

import dev.runnel.testing.TestClock;
import static dev.runnel.tenant.TenantTesting.SCHEMA;
import static dev.runnel.tenant.TenantTesting.fastOptions;
import static dev.runnel.tenant.TenantTesting.fileUrl;
import static dev.runnel.tenant.TenantTesting.insert;
import static dev.runnel.tenant.TenantTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantLeaseTest {
  @TempDir Path tmp;
  final List<TenantDatabases> managers = new ArrayList<>();

  @AfterEach
  void closeAll() {
    TenantTesting.closeAll(managers);
  }

  private TenantDatabases manager(String name, Clock clock, TenantOptions o, TenantListener l) throws Exception {
    TenantDatabases.Builder b = TenantDatabases.builder()
        .replicaBase(fileUrl(tmp.resolve("replica")))
        .cacheDirectory(tmp.resolve("cache-" + name))
        .clock(clock)
        .holderId("holder-" + name)
        .options(o)
        .schemaInitializer(SCHEMA);
    if (l != null) {
      b.listener(l);
    }
    TenantDatabases m = b.build();
    managers.add(m);
    return m;
  }

  private ReplicaClient replica(String tenant) {
    return FileReplicaClient.create(tmp.resolve("replica").resolve(tenant));
  }

  private List<String> restoredValues(String tenant) throws Exception {
    return TenantTesting.restoredValues(tmp.resolve("replica"), tenant, tmp);
  }

  @Test
  void acquire_tenantLeasedByOtherManager_failsFastNamingHolderAndExpiry() throws Exception {
    TestClock clock = new TestClock();
    TenantDatabases a = manager("a", clock, fastOptions(), null);
    TenantDatabases b = manager("b", clock, fastOptions(), null);
    try (TenantHandle h = a.acquire("shared")) {
      insert(h, "by a");
    }
    long t0 = System.nanoTime();
    TenantBusyException e = assertThrows(TenantBusyException.class, () -> b.acquire("shared"));
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "fails fast");
    assertEquals("holder-a", e.holder());
    assertEquals("shared", e.tenantId());
    assertEquals(clock.instant().plus(Duration.ofSeconds(30)), e.expiresAt());
    assertTrue(e.getMessage().contains("holder-a"), e.getMessage());
    assertEquals(1, b.metrics().leaseConflicts());
    assertEquals(List.of(), TenantTesting.filesUnder(tmp.resolve("cache-b")).stream()
        .filter(f -> !f.startsWith(".")).toList(), "a refused acquire leaves nothing behind");
    assertTrue(a.evict("shared"), "eviction releases the lease");
    try (TenantHandle h = b.acquire("shared")) {
      assertEquals(List.of("by a"), values(h));
    }
  }

  @Test
  void acquire_leaseOfDeadHolderExpired_takenOverAndOldHolderIsFenced() throws Exception {
    TestClock clockA = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    TestClock clockB = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    List<String> lost = new CopyOnWriteArrayList<>();
    TenantDatabases a = manager("a", clockA, fastOptions(), new TenantListener() {
      @Override
      public void leaseLost(String tenantId, String reason) {
        lost.add(tenantId + ": " + reason);
      }
    });
    TenantDatabases b = manager("b", clockB, fastOptions(), null);
    TenantHandle ha = a.acquire("t");
    insert(ha, "a1");
    ha.sync();
    a.pauseLeaseRenewals("t", true); // A hangs: no renewals
    clockB.advance(Duration.ofSeconds(29));
    assertThrows(TenantBusyException.class, () -> b.acquire("t"), "not expired yet");
    clockB.advance(Duration.ofSeconds(2));
    TenantHandle hb = b.acquire("t"); // takeover of the expired lease
    assertEquals(List.of("a1"), values(hb));
    hb.sync(); // B's own start-up transaction is uploaded: the listing below is B's
    List<LtxFileInfo> atTakeover = TenantTesting.allLtx(replica("t"));

    // A resumes (its clock did not move: only the lease re-read notices) and writes.
    insert(ha, "a2 after takeover");
    assertThrows(java.io.IOException.class, () -> ha.sync(Duration.ofSeconds(2)));
    waitFor(() -> !lost.isEmpty(), "A notices the loss");
    assertTrue(lost.get(0).startsWith("t: taken over by holder-b"), lost.toString());
    waitFor(() -> a.tenantInfo("t").isEmpty(), "A drops the tenant");
    assertThrows(SQLException.class, () -> insert(ha, "a3"), "A's connections are closed");
    ha.close();
    assertEquals(atTakeover, TenantTesting.allLtx(replica("t")), "no LTX file from A after the takeover");
    TenantBusyException busy = assertThrows(TenantBusyException.class, () -> a.acquire("t"));
    assertEquals("holder-b", busy.holder());
    assertEquals(1, a.metrics().leaseLosses());
    assertEquals(1, a.metrics().evictions(EvictionCause.LEASE_LOST));

    insert(hb, "b1");
    hb.sync();
    hb.close();
    assertEquals(List.of("a1", "b1"), restoredValues("t"));
  }

  @Test
  void pausedHolder_resumesAfterTakeover_uploadFencedByExpiryAndRenewalFails() throws Exception {
    // Without the per-upload lease read: the local expiry plus the renewal's compare-and-swap fence.
    TestClock clockA = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    TestClock clockB = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    TenantOptions o = fastOptions().withVerifyLeaseOnUpload(false);
    TenantDatabases a = manager("a", clockA, o, null);
    TenantDatabases b = manager("b", clockB, o, null);
    TenantHandle ha = a.acquire("p");
    insert(ha, "a1");
    ha.sync();
    a.pauseLeaseRenewals("p", true);
    clockA.advance(Duration.ofSeconds(40)); // A is "suspended" for 40 s ...
    clockB.advance(Duration.ofSeconds(40));
    try (TenantHandle hb = b.acquire("p")) { // ... during which B takes over
      insert(hb, "b1");
      hb.sync();
    }
    List<LtxFileInfo> afterB = TenantTesting.allLtx(replica("p"));
    a.pauseLeaseRenewals("p", false); // A resumes: its first upload finds the lease expired
    insert(ha, "a2 (must not land)");
    assertThrows(java.io.IOException.class, () -> ha.sync(Duration.ofSeconds(2)));
    waitFor(() -> a.tenantInfo("p").isEmpty(), "A drops the tenant");
    ha.close();
    assertEquals(afterB, TenantTesting.allLtx(replica("p")), "A's upload was fenced");
    assertEquals(List.of("a1", "b1"), restoredValues("p"));
  }

  @Test
  void renewal_findsAnotherHolder_stopsWritingAtOnce() throws Exception {
    TestClock clock = new TestClock();
    TenantDatabases a = manager("a", clock, fastOptions(), null);
    TenantHandle h = a.acquire("r");
    insert(h, "x");
    h.sync();
    ConditionalStore store = replica("r").conditionalStore().orElseThrow();
    ConditionalStore.Versioned cur = store.read(TenantLease.OBJECT).orElseThrow();
    byte[] intruder = new TenantLease.Content("intruder", clock.millis() + 60_000, "n0").encode();
    assertTrue(store.replaceIfUnchanged(TenantLease.OBJECT, intruder, cur.etag()));
    a.renewLeasesNow();
    waitFor(() -> a.tenantInfo("r").isEmpty(), "tenant dropped after the lost renewal");
    assertThrows(SQLException.class, () -> insert(h, "y"));
    h.close();
    TenantBusyException e = assertThrows(TenantBusyException.class, () -> a.acquire("r"));
    assertEquals("intruder", e.holder());
  }

  @Test
  void renewals_keepLeaseAliveInRealTime() throws Exception {
    TenantOptions o = fastOptions().withLeaseTtl(Duration.ofMillis(900));
    TenantDatabases a = manager("a", Clock.systemUTC(), o, null);
    TenantDatabases b = manager("b", Clock.systemUTC(), o, null);
    a.acquire("live").close();
    Thread.sleep(2500); // almost three TTLs
    assertThrows(TenantBusyException.class, () -> b.acquire("live"));
    try (TenantHandle h = a.acquire("live")) {
      insert(h, "still ours");
      h.sync();
    }
    assertFalse(a.tenantInfo("live").isEmpty());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check c, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(10);
    }
  }
}
