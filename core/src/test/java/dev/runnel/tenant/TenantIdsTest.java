package dev.runnel.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantIdsTest {
  @TempDir Path tmp;

  static List<String> hostileIds() {
    return Arrays.asList(
        null, "", ".", "..", "../etc", "a/../../b", "/abs", "a/b", "a\\b", "..\\..\\x", "a\0b", "\0",
        "x".repeat(129), "a b", " lead", "trail ", "a.b", "tenant\n", "tab\t", "%2e%2e", "a%2Fb", "~root",
        "a:b", "a*b", "a?b", "$(id)", "`id`", "a;b", "\u0430cme" /* Cyrillic a */, "\uff41cme" /* full-width a */,
        "caf\u00e9", "e\u0301", "\u200bzero-width", "\ufeffbom", "\u202eevil", "\ud83d\ude00", "ltx\u2044x",
        "a\u2215b" /* division slash */, "a\uff0fb" /* full-width solidus */, "\u2024\u2024");
  }

  @Test
  void check_hostileIds_rejectedWithIllegalArgument() {
    for (String id : hostileIds()) {
      assertFalse(TenantIds.isValid(id), String.valueOf(id));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TenantIds.check(id),
          String.valueOf(id));
      assertTrue(e.getMessage().startsWith("invalid tenant id"), e.getMessage());
    }
  }

  @Test
  void check_validIds_accepted() {
    for (String id : List.of("a", "Z", "0", "acme", "org-42", "org_42", "-", "_", "A-z_09", "x".repeat(128))) {
      assertEquals(id, TenantIds.check(id));
    }
  }

  @Test
  void managerCalls_hostileIds_rejectedBeforeTouchingDiskOrReplica() throws Exception {
    Path cache = tmp.resolve("cache");
    Path replica = tmp.resolve("replica");
    Path src = tmp.resolve("src.db");
    AtomicInteger factoryCalls = new AtomicInteger();
    try (TenantDatabases m = TenantDatabases.builder()
        .replicaFactory(id -> {
          factoryCalls.incrementAndGet();
          return dev.runnel.replica.file.FileReplicaClient.create(replica.resolve(id));
        })
        .cacheDirectory(cache).options(TenantTesting.fastOptions()).build()) {
      List<String> before = TenantTesting.filesUnder(tmp);
      List<String> notRejected = new ArrayList<>();
      for (String id : hostileIds()) {
        for (Runnable call : List.<Runnable>of(
            () -> uncheck(() -> m.acquire(id)),
            () -> uncheck(() -> m.importTenant(id, src, true)),
            () -> m.evict(id),
            () -> m.tenantInfo(id))) {
          try {
            call.run();
            notRejected.add(id);
          } catch (IllegalArgumentException expected) {
            // rejected
          }
        }
      }
      assertEquals(List.of(), notRejected);
      assertEquals(before, TenantTesting.filesUnder(tmp), "nothing created on disk");
      assertEquals(0, factoryCalls.get(), "no replica opened");
      assertFalse(Files.exists(replica));
      assertEquals(0, m.metrics().coldStarts() + m.metrics().coldStartFailures());
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static void uncheck(Call c) {
    try {
      c.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("unexpected " + e, e);
    }
  }
}
