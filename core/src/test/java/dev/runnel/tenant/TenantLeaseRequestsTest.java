package dev.runnel.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.testing.TestClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many store requests a lease costs (each is an HTTP round trip on S3): one conditional write
 * to take a free tenant or to renew, no read back; takeover of an expired lease is conditional on
 * the etag read and has exactly one winner.
 */
class TenantLeaseRequestsTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  @TempDir Path tmp;

  /** Counts the calls that reach the real store. */
  static final class CountingStore implements ConditionalStore {
    final ConditionalStore real;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger replaces = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();

    CountingStore(ConditionalStore real) {
      this.real = real;
    }

    int total() {
      return reads.get() + creates.get() + replaces.get() + deletes.get();
    }

    @Override
    public Optional<Versioned> read(String name) throws IOException {
      reads.incrementAndGet();
      return real.read(name);
    }

    @Override
    public Optional<String> tryCreate(String name, byte[] data) throws IOException {
      creates.incrementAndGet();
      return real.tryCreate(name, data);
    }

    @Override
    public Optional<String> tryReplace(String name, byte[] data, String etag) throws IOException {
      replaces.incrementAndGet();
      return real.tryReplace(name, data, etag);
    }

    @Override
    public boolean deleteIfUnchanged(String name, String etag) throws IOException {
      deletes.incrementAndGet();
      return real.deleteIfUnchanged(name, etag);
    }
  }

  private CountingStore store() {
    return new CountingStore(FileReplicaClient.create(tmp.resolve("replica")).conditionalStore().orElseThrow());
  }

  @Test
  void acquire_freeTenant_oneConditionalCreateAndNoRead() throws Exception {
    CountingStore s = store();
    TenantLease l = TenantLease.acquire("t", s, "holder-a", TTL, new TestClock());
    assertEquals(1, s.creates.get());
    assertEquals(1, s.total(), "one request in all: the etag comes with the write, nothing is read back");
    assertFalse(l.isLost());
    l.checkWritable(true); // the remote check finds our nonce
    l.release();
    assertTrue(s.read(TenantLease.OBJECT).isEmpty(), "released with the etag of the create");
  }

  @Test
  void renew_heldLease_oneConditionalReplaceAndNoRead() throws Exception {
    CountingStore s = store();
    TestClock clock = new TestClock();
    TenantLease l = TenantLease.acquire("t", s, "holder-a", TTL, clock);
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      int before = s.total();
      l.renew();
      assertEquals(before + 1, s.total(), "renewal " + i + " is one conditional write");
      assertFalse(l.isLost());
      assertEquals(clock.instant().plus(TTL), l.expiresAt());
    }
    assertEquals(0, s.reads.get());
    l.release();
    assertTrue(s.read(TenantLease.OBJECT).isEmpty(), "the etag of the last renewal releases it");
  }

  @Test
  void acquire_expiredLease_takesOverConditionallyAndOldHolderLosesIt() throws Exception {
    CountingStore s = store();
    TestClock clock = new TestClock();
    TenantLease a = TenantLease.acquire("t", s, "holder-a", TTL, clock);
    TenantBusyException busy = assertThrows(TenantBusyException.class,
        () -> TenantLease.acquire("t", s, "holder-b", TTL, clock));
    assertEquals("holder-a", busy.holder());
    clock.advance(TTL.plusSeconds(1));
    int before = s.total();
    TenantLease b = TenantLease.acquire("t", s, "holder-b", TTL, clock);
    assertEquals(before + 3, s.total(), "create (exists), read, replace on the etag read");
    a.renew();
    assertTrue(a.isLost(), "the old holder's renewal fails its condition and finds another nonce");
    assertThrows(IOException.class, () -> a.checkWritable(false));
    b.checkWritable(true);
    b.renew();
    assertFalse(b.isLost());
  }

  @Test
  void acquire_concurrentTakeoversOfExpiredLease_exactlyOneWinner() throws Exception {
    TestClock clock = new TestClock();
    for (int round = 0; round < 10; round++) {
      ConditionalStore s = FileReplicaClient.create(tmp.resolve("r" + round)).conditionalStore().orElseThrow();
      TenantLease.acquire("t", s, "old", TTL, clock);
      clock.advance(TTL.plusSeconds(1));
      int n = 8;
      CountDownLatch go = new CountDownLatch(1);
      List<Future<TenantLease>> tries = new ArrayList<>();
      try (ExecutorService ex = Executors.newFixedThreadPool(n)) {
        for (int i = 0; i < n; i++) {
          String holder = "h" + i;
          tries.add(ex.submit(() -> {
            go.await();
            try {
              return TenantLease.acquire("t", s, holder, TTL, clock);
            } catch (TenantBusyException e) {
              return null;
            }
          }));
        }
        go.countDown();
        List<TenantLease> winners = new ArrayList<>();
        for (Future<TenantLease> f : tries) {
          if (f.get() != null) {
            winners.add(f.get());
          }
        }
        assertEquals(1, winners.size(), "round " + round + ": exactly one takeover wins");
        TenantLease w = winners.get(0);
        w.checkWritable(true);
        String stored = new String(s.read(TenantLease.OBJECT).orElseThrow().data(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(stored.contains("holder=" + w.holder() + "\n"), stored);
      }
    }
  }
}
