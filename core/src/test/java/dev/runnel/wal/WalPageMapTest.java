package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalPageMapTest {
  private static final int PAGE = 4096;

  @TempDir Path tmp;

  @Test
  void build_okFixture_mapsLatestCommittedFrames() throws IOException {
    WalPageMap m = build(WalFixtures.walCase("ok"), 0);
    assertEquals(Map.of(1, 32L, 2, 8272L), m.pages());
    assertEquals(12392, m.maxOffset());
    assertEquals(2, m.commit());
    assertEquals(2, m.transactions());
  }

  @Test
  void build_mismatchFixtures_nothingCommitted() throws IOException {
    for (String c : new String[] {"salt-mismatch", "frame-checksum-mismatch"}) {
      WalPageMap m = build(WalFixtures.walCase(c), 0);
      assertTrue(m.pages().isEmpty(), c);
      assertEquals(32, m.maxOffset(), c);
      assertEquals(0, m.commit(), c);
      assertTrue(m.isEmpty(), c);
    }
  }

  @Test
  void build_wal1OverBeforeCheckpoint_equalsTx1() throws IOException {
    assertOverlayEquals("app.db.beforeckpt", "wal1.bin", "tx1.db", 19, 5);
  }

  @Test
  void build_wal2OverTx1_equalsTx2() throws IOException {
    WalPageMap m = assertOverlayEquals("tx1.db", "wal2.bin", "tx2.db", 19, 1);
    assertEquals(java.util.Set.of(2, 3, 6, 16), m.pages().keySet());
  }

  @Test
  void build_wal3OverTx2_equalsTx3() throws IOException {
    WalPageMap m = assertOverlayEquals("tx2.db", "wal3.bin", "tx3.db", 24, 1);
    assertEquals(java.util.Set.of(1, 4, 5, 6, 19, 20, 21, 22, 23, 24), m.pages().keySet());
  }

  @Test
  void build_namedPages_equalTargetPages() throws IOException {
    String[][] cases = {{"wal2.bin", "tx2.db"}, {"wal3.bin", "tx3.db"}};
    for (String[] c : cases) {
      byte[] target = WalFixtures.bytes(WalFixtures.ltxDb(c[1]));
      try (FileChannel ch = WalFixtures.open(WalFixtures.ltxDb(c[0]))) {
        WalPageMap m = WalPageMap.build(WalReader.open(ch, WalHeader.read(ch).orElseThrow()), 0);
        for (Map.Entry<Integer, Long> e : m.pages().entrySet()) {
          int from = (e.getKey() - 1) * PAGE;
          assertArrayEquals(
              Arrays.copyOfRange(target, from, from + PAGE),
              WalFixtures.framePage(ch, e.getValue(), PAGE),
              c[0] + " page " + e.getKey());
        }
      }
    }
  }

  @Test
  void build_byteCap_stopsAtCommitBoundaries() throws IOException {
    Path wal1 = WalFixtures.ltxDb("wal1.bin");
    // wal1 commits end at 12392, 20632, 28872, 37112 and 115392.
    assertCap(wal1, 1, 12392, 1, 3);
    assertCap(wal1, 12392 - 32, 12392, 1, 3);
    assertCap(wal1, 12392 - 32 + 1, 20632, 2, 4);
    assertCap(wal1, 4120, 12392, 1, 3); // less than one transaction still reads a whole one
    assertCap(wal1, 37112 - 32 + 1, 115392, 5, 19);
    assertCap(wal1, 0, 115392, 5, 19);
    assertCap(wal1, Long.MAX_VALUE, 115392, 5, 19);
  }

  @Test
  void build_byteCapOnResumedReader_countsFromResumeOffset() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.ltxDb("wal1.bin"))) {
      WalHeader h = WalHeader.read(ch).orElseThrow();
      WalReader r = WalReader.resume(ch, PAGE, false, 12392, h.salt1(), h.salt2());
      WalPageMap m = WalPageMap.build(r, 20632 - 12392);
      assertEquals(20632, m.maxOffset());
      assertEquals(Map.of(1, 12392L, 4, 16512L), m.pages());
      assertEquals(1, m.transactions());
      WalPageMap rest = WalPageMap.build(WalReader.resume(ch, PAGE, false, m.maxOffset(), h.salt1(), h.salt2()), 0);
      assertEquals(115392, rest.maxOffset());
      assertEquals(3, rest.transactions());
    }
  }

  @Test
  void build_trailingUncommittedFrames_ignored() throws IOException {
    byte[] wal2 = WalFixtures.bytes(WalFixtures.ltxDb("wal2.bin"));
    Path p = WalFixtures.temp(tmp, "uncommitted", Arrays.copyOf(wal2, 12392));
    try (FileChannel ch = WalFixtures.open(p)) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      WalPageMap m = WalPageMap.build(r, 0);
      assertTrue(m.pages().isEmpty());
      assertEquals(32, m.maxOffset());
      assertEquals(0, m.commit());
      assertEquals(0, m.transactions());
      assertEquals(12392, r.offset(), "the reader went past the uncommitted frames");
    }
  }

  @Test
  void build_shrinkingCommit_dropsPagesBeyondFinalSize() throws IOException {
    byte[] wal =
        new SyntheticWal(512, false, 5, 6)
            .frame(5, 0, 1)
            .frame(1, 5, 1) // tx 1: 5 pages
            .frame(3, 0, 2)
            .frame(2, 2, 2) // tx 2: shrinks to 2 pages
            .frame(4, 0, 3) // uncommitted tail
            .bytes();
    Path p = WalFixtures.temp(tmp, "shrink", wal);
    try (FileChannel ch = WalFixtures.open(p)) {
      WalPageMap m = WalPageMap.build(WalReader.open(ch, WalHeader.read(ch).orElseThrow()), 0);
      assertEquals(new TreeMap<>(Map.of(1, 32 + 536L, 2, 32 + 3 * 536L)), m.pages());
      assertEquals(2, m.commit());
      assertEquals(32 + 4 * 536L, m.maxOffset());
      assertEquals(2, m.transactions());
    }
  }

  @Test
  void build_negativeCap_throws() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      assertThrows(IllegalArgumentException.class, () -> WalPageMap.build(r, -1));
    }
  }

  @Test
  void pages_isUnmodifiable() throws IOException {
    WalPageMap m = build(WalFixtures.walCase("ok"), 0);
    assertThrows(UnsupportedOperationException.class, () -> m.pages().put(9, 9L));
  }

  private static WalPageMap build(Path wal, long cap) throws IOException {
    try (FileChannel ch = WalFixtures.open(wal)) {
      return WalPageMap.build(WalReader.open(ch, WalHeader.read(ch).orElseThrow()), cap);
    }
  }

  private static void assertCap(Path wal, long cap, long maxOffset, int txns, int commit)
      throws IOException {
    WalPageMap m = build(wal, cap);
    assertEquals(maxOffset, m.maxOffset(), "cap " + cap);
    assertEquals(txns, m.transactions(), "cap " + cap);
    assertEquals(commit, m.commit(), "cap " + cap);
  }

  private static WalPageMap assertOverlayEquals(
      String base, String wal, String expected, int commit, int txns) throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.ltxDb(wal))) {
      WalPageMap m = WalPageMap.build(WalReader.open(ch, WalHeader.read(ch).orElseThrow()), 0);
      assertEquals(commit, m.commit());
      assertEquals(txns, m.transactions());
      assertEquals(ch.size(), m.maxOffset());
      byte[] rebuilt = WalFixtures.overlay(WalFixtures.bytes(WalFixtures.ltxDb(base)), ch, m, PAGE);
      assertArrayEquals(WalFixtures.bytes(WalFixtures.ltxDb(expected)), rebuilt, wal + " over " + base);
      return m;
    }
  }
}
