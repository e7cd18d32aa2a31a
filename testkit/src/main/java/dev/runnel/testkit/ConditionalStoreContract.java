package dev.runnel.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.ConditionalStore.Versioned;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of {@link ReplicaClient#conditionalStore()}, part of {@link ReplicaClientContract}.
 * Every test is skipped (not failed) for a backend that has no conditional store.
 */
public abstract class ConditionalStoreContract {
  private static final int ROUNDS = 25;
  private static final int THREADS = 8;

  /** The initialised client under test. */
  protected abstract ReplicaClient clientForConditional();

  /** The store under test; skips the test if the backend has none. */
  protected ConditionalStore store() {
    Optional<ConditionalStore> s = clientForConditional().conditionalStore();
    assumeTrue(s.isPresent(), "backend has no conditional store");
    return s.get();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void conditionalRead_missing_returnsEmpty() throws Exception {
    assertEquals(Optional.empty(), store().read("lease"));
  }

  @Test
  void conditionalCreateIfAbsent_newName_createsReadableObject() throws Exception {
    ConditionalStore s = store();
    assertTrue(s.createIfAbsent("lease", utf8("owner=a")));
    Versioned v = s.read("lease").orElseThrow();
    assertArrayEquals(utf8("owner=a"), v.data());
    assertFalse(v.etag().isEmpty());
    assertEquals(v.etag(), s.read("lease").orElseThrow().etag(), "etag is stable across reads");
  }

  @Test
  void conditionalTryCreateAndTryReplace_returnTheStoredEtag() throws Exception {
    ConditionalStore s = store();
    String e1 = s.tryCreate("lease", utf8("v1")).orElseThrow();
    assertEquals(s.read("lease").orElseThrow().etag(), e1, "the etag of the create, as a read reports it");
    assertEquals(Optional.empty(), s.tryCreate("lease", utf8("other")), "exists");
    String e2 = s.tryReplace("lease", utf8("v2"), e1).orElseThrow();
    assertEquals(s.read("lease").orElseThrow().etag(), e2);
    assertEquals(Optional.empty(), s.tryReplace("lease", utf8("v3"), e1), "stale etag");
    assertTrue(s.deleteIfUnchanged("lease", e2), "the returned etag is usable as is");
    String e3 = s.tryCreate("lease", utf8("v4")).orElseThrow();
    assertEquals(s.read("lease").orElseThrow().etag(), e3, "re-created after a delete");
    assertArrayEquals(utf8("v4"), s.read("lease").orElseThrow().data());
  }

  @Test
  void conditionalCreateIfAbsent_existingName_returnsFalseAndKeepsData() throws Exception {
    ConditionalStore s = store();
    assertTrue(s.createIfAbsent("lease", utf8("first")));
    assertFalse(s.createIfAbsent("lease", utf8("second")));
    assertArrayEquals(utf8("first"), s.read("lease").orElseThrow().data());
  }

  @Test
  void conditionalCreateIfAbsent_emptyData_roundTrips() throws Exception {
    ConditionalStore s = store();
    assertTrue(s.createIfAbsent("empty", new byte[0]));
    assertArrayEquals(new byte[0], s.read("empty").orElseThrow().data());
  }

  @Test
  void conditionalReplaceIfUnchanged_currentEtag_replaces() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("lease", utf8("v1"));
    String etag = s.read("lease").orElseThrow().etag();
    assertTrue(s.replaceIfUnchanged("lease", utf8("v2"), etag));
    Versioned v = s.read("lease").orElseThrow();
    assertArrayEquals(utf8("v2"), v.data());
    assertNotEquals(etag, v.etag(), "different content has a different etag");
  }

  @Test
  void conditionalReplaceIfUnchanged_staleEtag_failsAndKeepsData() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("lease", utf8("v1"));
    String stale = s.read("lease").orElseThrow().etag();
    assertTrue(s.replaceIfUnchanged("lease", utf8("v2"), stale));
    assertFalse(s.replaceIfUnchanged("lease", utf8("v3"), stale));
    assertFalse(s.replaceIfUnchanged("lease", utf8("v3"), "not-an-etag"));
    assertArrayEquals(utf8("v2"), s.read("lease").orElseThrow().data());
  }

  @Test
  void conditionalReplaceIfUnchanged_missing_returnsFalse() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("other", utf8("x"));
    String etag = s.read("other").orElseThrow().etag();
    assertFalse(s.replaceIfUnchanged("lease", utf8("x"), etag));
    assertEquals(Optional.empty(), s.read("lease"));
  }

  @Test
  void conditionalDeleteIfUnchanged_currentEtag_deletes() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("lease", utf8("v1"));
    assertTrue(s.deleteIfUnchanged("lease", s.read("lease").orElseThrow().etag()));
    assertEquals(Optional.empty(), s.read("lease"));
    assertTrue(s.createIfAbsent("lease", utf8("again")), "a deleted name can be created again");
  }

  @Test
  void conditionalDeleteIfUnchanged_staleOrMissing_returnsFalse() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("lease", utf8("v1"));
    String stale = s.read("lease").orElseThrow().etag();
    s.replaceIfUnchanged("lease", utf8("v2"), stale);
    assertFalse(s.deleteIfUnchanged("lease", stale));
    assertArrayEquals(utf8("v2"), s.read("lease").orElseThrow().data());
    assertFalse(s.deleteIfUnchanged("missing", stale));
  }

  @Test
  void conditionalNames_invalidOrReserved_throwIllegalArgument() {
    ConditionalStore s = store();
    for (String bad : List.of("", "../x", "a/b", "a\\b", ".hidden", "-x", "sp ace", "ltx", "LTX",
        "generations", "x".repeat(129), "é")) {
      assertThrows(IllegalArgumentException.class, () -> s.read(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> s.createIfAbsent(bad, new byte[1]), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> s.read(null));
  }

  @Test
  void conditionalNames_allowedCharacters_work() throws Exception {
    ConditionalStore s = store();
    for (String ok : List.of("a", "lock.json", "Tenant_1-lease.v2", "9", "x".repeat(128))) {
      assertTrue(s.createIfAbsent(ok, utf8(ok)), ok);
      assertArrayEquals(utf8(ok), s.read(ok).orElseThrow().data(), ok);
    }
  }

  @Test
  void conditionalObjects_areNotLtxFilesAndSurviveDeleteAll() throws Exception {
    ConditionalStore s = store();
    ReplicaClient c = clientForConditional();
    s.createIfAbsent("lease", utf8("v1"));
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      assertEquals(List.of(), c.list(level), "level " + level);
    }
    c.deleteAll();
    assertArrayEquals(utf8("v1"), s.read("lease").orElseThrow().data());
  }

  @Test
  void conditionalCreateIfAbsent_concurrentOnOneName_exactlyOneWinnerEveryRound() throws Exception {
    ConditionalStore s = store();
    for (int round = 0; round < ROUNDS; round++) {
      String name = "lease-" + round;
      List<Boolean> won = Concurrently.run(THREADS, t -> s.createIfAbsent(name, utf8("owner-" + t)));
      int winners = (int) won.stream().filter(b -> b).count();
      assertEquals(1, winners, "round " + round + ": " + won);
      int winner = won.indexOf(true);
      assertArrayEquals(utf8("owner-" + winner), s.read(name).orElseThrow().data(), "round " + round);
    }
  }

  @Test
  void conditionalReplaceIfUnchanged_concurrentFromOneEtag_exactlyOneWinnerEveryRound() throws Exception {
    ConditionalStore s = store();
    s.createIfAbsent("lease", utf8("round-start"));
    for (int round = 0; round < ROUNDS; round++) {
      String etag = s.read("lease").orElseThrow().etag();
      int r = round;
      List<Boolean> won = Concurrently.run(THREADS,
          t -> s.replaceIfUnchanged("lease", utf8("round-" + r + "-owner-" + t), etag));
      assertEquals(1, won.stream().filter(b -> b).count(), "round " + round + ": " + won);
      assertArrayEquals(utf8("round-" + r + "-owner-" + won.indexOf(true)), s.read("lease").orElseThrow().data());
    }
  }

  @Test
  void conditionalDeleteIfUnchanged_concurrent_exactlyOneWinner() throws Exception {
    ConditionalStore s = store();
    for (int round = 0; round < ROUNDS; round++) {
      String name = "gone-" + round;
      s.createIfAbsent(name, utf8("x" + round));
      String etag = s.read(name).orElseThrow().etag();
      List<Boolean> won = Concurrently.run(THREADS, t -> s.deleteIfUnchanged(name, etag));
      assertEquals(1, won.stream().filter(b -> b).count(), "round " + round + ": " + won);
      assertEquals(Optional.empty(), s.read(name));
    }
  }
}
