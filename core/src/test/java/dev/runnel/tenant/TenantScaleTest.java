package dev.runnel.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tenants through one manager with a hot cap: memory and descriptors stay flat. Uses
 * /dev/shm when present so the run measures the manager, not the disk's fsync latency.
 * Tenants: {@code -Drunnel.tenant.scale=10000} (default).
 */
class TenantScaleTest {
  @TempDir Path tmp;

  @Test
  void acquire_tenThousandTenantsWithHotCap_heapAndDescriptorsStayFlat() throws Exception {
    int total = Integer.getInteger("runnel.tenant.scale", 10_000);
    int cap = Math.min(1000, total / 5);
    int checkpoint = total / 5;
    Path shm = Path.of("/dev/shm");
    Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "runnel-scale-") : tmp;
    try (TenantDatabases m = TenantDatabases.builder()
        .replicaBase(TenantTesting.fileUrl(root.resolve("replica")))
        .cacheDirectory(root.resolve("cache"))
        .options(TenantTesting.fastOptions().withMaxHotTenants(cap).withMaxReaders(1))
        .schemaInitializer(TenantTesting.SCHEMA)
        .build()) {
      long fdsBase = TenantTesting.openDescriptors();
      long heapAt = 0;
      long fdsAt = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < total; i++) {
        try (TenantHandle h = m.acquire("t" + i)) {
          if (i % 10 == 0) {
            TenantTesting.insert(h, "row");
          }
        }
        if (i + 1 == checkpoint) {
          heapAt = heapAfterGc();
          fdsAt = TenantTesting.openDescriptors();
          System.out.printf("after %d: hot %d, heap %d MB, fds %d, %.1f s%n", i + 1, m.metrics().hotTenants(),
              heapAt >> 20, fdsAt, (System.nanoTime() - t0) / 1e9);
        }
        assertTrue(m.metrics().hotTenants() <= cap, "hot " + m.metrics().hotTenants());
      }
      long heapEnd = heapAfterGc();
      long fdsEnd = TenantTesting.openDescriptors();
      TenantMetrics mt = m.metrics();
      System.out.printf("after %d: hot %d, heap %d MB, fds %d, %.1f s; %s%n", total, mt.hotTenants(), heapEnd >> 20,
          fdsEnd, (System.nanoTime() - t0) / 1e9, mt);
      assertEquals(total, mt.coldStarts());
      assertEquals(total - cap, mt.evictions(EvictionCause.LRU));
      assertEquals(cap, mt.hotTenants());
      assertTrue(fdsEnd <= fdsAt + fdsAt / 10 + 50, "descriptors grew from " + fdsAt + " to " + fdsEnd);
      assertTrue(heapEnd <= heapAt + heapAt / 4 + (32L << 20),
          "heap grew from " + (heapAt >> 20) + " MB to " + (heapEnd >> 20) + " MB");

      // Parked, the same hot tenants hold no descriptors at all.
      for (String id : m.hotTenantIds()) {
        assertTrue(m.parkNow(id), id);
      }
      long fdsParked = TenantTesting.openDescriptors();
      System.out.printf("%d hot tenants parked: fds %d (before any tenant: %d, hot and unparked: %d)%n",
          m.metrics().parkedTenants(), fdsParked, fdsBase, fdsEnd);
      assertEquals(cap, m.metrics().parkedTenants());
      assertTrue(fdsParked <= fdsBase + 20, "parked: " + fdsParked + " descriptors, before any tenant " + fdsBase);
    } finally {
      if (!root.equals(tmp)) {
        TenantFiles.deleteTree(root);
      }
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
