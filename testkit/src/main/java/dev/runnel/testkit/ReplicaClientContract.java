package dev.runnel.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.InvalidLtxHeaderException;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ReplicaClient} must have, tested only through the SPI. A backend's
 * test extends this class and implements {@link #newClient()}; it may add backend-specific tests
 * (layout, junk names) of its own. The conditional-store tests live in
 * {@link ConditionalStoreContract}, which this class extends, and are skipped for backends without
 * one.
 *
 * <p>Test data are real LTX bytes: golden files from {@code testdata/ltx/nochecksum/} and
 * synthetic files with a valid header ({@link Fixtures#syntheticLtx}).
 */
public abstract class ReplicaClientContract extends ConditionalStoreContract {
  /** Header timestamp of golden TXID 1 (2025-01-01T00:00:00Z). */
  protected static final long GOLDEN_TS = 1735689600000L;
  protected static final long TS = 1_700_000_000_123L;

  /** The client under test, initialised, fresh and empty for each test. */
  protected ReplicaClient client;

  /** A new client on a new, empty replica. Called once per test (more by some tests). */
  protected abstract ReplicaClient newClient() throws Exception;

  @BeforeEach
  void setUpClient() throws Exception {
    client = newClient();
    client.init();
  }

  @AfterEach
  void tearDownClient() throws Exception {
    if (client != null) {
      client.close();
    }
  }

  @Override
  protected final ReplicaClient clientForConditional() {
    return client;
  }

  // ---- helpers -------------------------------------------------------------------------------

  protected static TxId tx(long v) {
    return TxId.of(v);
  }

  protected LtxFileInfo put(int level, long min, long max, long ts, int body) throws IOException {
    return client.write(level, tx(min), tx(max), new ByteArrayInputStream(Fixtures.syntheticLtx(min, max, ts, body)));
  }

  protected static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  protected List<LtxFileName> names(int level) throws IOException {
    return client.list(level).stream().map(LtxFileInfo::name).toList();
  }

  /** A stream of the header and some body that then fails, as a crashing writer would. */
  protected static InputStream failingAfter(byte[] prefix) {
    return new InputStream() {
      int pos;

      @Override
      public int read() throws IOException {
        if (pos >= prefix.length) {
          throw new IOException("simulated writer failure");
        }
        return prefix[pos++] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= prefix.length) {
          throw new IOException("simulated writer failure");
        }
        int n = Math.min(len, prefix.length - pos);
        System.arraycopy(prefix, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  // ---- init, list ----------------------------------------------------------------------------

  @Test
  void init_calledAgain_isIdempotentAndKeepsFiles() throws Exception {
    client.init();
    put(0, 1, 1, TS, 10);
    client.init();
    assertEquals(List.of(LtxFileName.of(tx(1), tx(1))), names(0));
  }

  @Test
  void list_emptyReplica_returnsEmptyForEveryLevel() throws Exception {
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      assertEquals(List.of(), client.list(level), "level " + level);
      assertEquals(List.of(), client.list(level, TxId.ZERO, true), "level " + level);
    }
  }

  @Test
  void list_invalidLevel_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> client.list(-1));
    assertThrows(IllegalArgumentException.class, () -> client.list(10));
  }

  @Test
  void write_goldenFile_isListedWithSizeAndHeaderTimestamp() throws Exception {
    byte[] golden = Fixtures.goldenLtx("0000000000000001-0000000000000001");
    LtxFileInfo info = client.write(0, tx(1), tx(1), new ByteArrayInputStream(golden));
    LtxFileInfo expected = new LtxFileInfo(0, LtxFileName.of(tx(1), tx(1)), golden.length,
        Instant.ofEpochMilli(GOLDEN_TS));
    assertEquals(expected, info);
    assertEquals(List.of(expected), client.list(0, TxId.ZERO, true));
    assertArrayEquals(golden, readAll(client.open(info)));
  }

  @Test
  void write_goldenCompaction_roundTripsAtHigherLevel() throws Exception {
    byte[] golden = Fixtures.goldenLtx("0000000000000001-0000000000000003");
    client.write(1, tx(1), tx(3), new ByteArrayInputStream(golden));
    client.write(9, tx(1), tx(3), new ByteArrayInputStream(golden));
    assertEquals(List.of(LtxFileName.of(tx(1), tx(3))), names(1));
    assertEquals(List.of(LtxFileName.of(tx(1), tx(3))), names(9));
    assertArrayEquals(golden, readAll(client.open(1, tx(1), tx(3), 0, -1)));
  }

  @Test
  void write_millisecondTimestamp_isCreatedAtExactly() throws Exception {
    long[] stamps = {TS, TS + 1, 1, 999, 4_102_444_800_007L};
    for (int i = 0; i < stamps.length; i++) {
      put(2, i + 1, i + 1, stamps[i], 5);
    }
    List<LtxFileInfo> listed = client.list(2, TxId.ZERO, true);
    for (int i = 0; i < stamps.length; i++) {
      assertEquals(Instant.ofEpochMilli(stamps[i]), listed.get(i).createdAt(), listed.get(i).toString());
    }
  }

  @Test
  void write_returnedInfo_equalsListedInfo() throws Exception {
    LtxFileInfo written = put(3, 5, 9, TS, 1234);
    assertEquals(List.of(written), client.list(3, TxId.ZERO, true));
    assertEquals(Fixtures.LTX_HEADER_SIZE + 1234, written.size());
  }

  @Test
  void list_manyRandomNames_sortedByMinThenMax() throws Exception {
    Random r = new Random(42);
    Set<LtxFileName> expected = new HashSet<>();
    while (expected.size() < 60) {
      // Small ranges make equal mins with different maxes common; large values test unsigned hex.
      long min = r.nextBoolean() ? 1 + r.nextInt(20) : 1 + (r.nextLong() >>> 1);
      long max = min + (r.nextBoolean() ? 0 : r.nextInt(5));
      if (expected.add(LtxFileName.of(tx(min), tx(max)))) {
        put(1, min, max, TS, r.nextInt(50));
      }
    }
    List<LtxFileName> sorted = new ArrayList<>(expected);
    sorted.sort(null);
    assertEquals(sorted, names(1));
  }

  @Test
  void list_seek_returnsOnlyFilesWithMinAtLeastSeek() throws Exception {
    put(0, 1, 1, TS, 1);
    put(0, 2, 4, TS, 1);
    put(0, 5, 5, TS, 1);
    put(0, 5, 7, TS, 1);
    put(0, 10, 12, TS, 1);
    assertEquals(5, client.list(0, TxId.ZERO, false).size());
    assertEquals(5, client.list(0, tx(1), false).size());
    List<LtxFileName> fromTwo = client.list(0, tx(2), false).stream().map(LtxFileInfo::name).toList();
    assertEquals(List.of(LtxFileName.of(tx(2), tx(4)), LtxFileName.of(tx(5), tx(5)),
        LtxFileName.of(tx(5), tx(7)), LtxFileName.of(tx(10), tx(12))), fromTwo);
    assertEquals(3, client.list(0, tx(3), false).size(), "seek between mins");
    assertEquals(3, client.list(0, tx(5), false).size(), "seek is inclusive");
    assertEquals(1, client.list(0, tx(10), false).size());
    assertEquals(0, client.list(0, tx(11), false).size());
    assertEquals(0, client.list(0, tx(-1L), false).size(), "seek is unsigned");
  }

  @Test
  void list_levels_areIndependent() throws Exception {
    put(0, 1, 1, TS, 1);
    put(1, 1, 2, TS, 1);
    put(9, 1, 3, TS, 1);
    assertEquals(List.of(LtxFileName.of(tx(1), tx(1))), names(0));
    assertEquals(List.of(LtxFileName.of(tx(1), tx(2))), names(1));
    assertEquals(List.of(LtxFileName.of(tx(1), tx(3))), names(9));
    for (int level = 2; level <= 8; level++) {
      assertEquals(List.of(), names(level));
    }
  }

  @Test
  void listAllLevels_filesOnSeveralLevels_equalsEveryLevelListed() throws Exception {
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      assertEquals(List.of(), client.listAllLevels().getOrDefault(level, List.of()), "empty level " + level);
    }
    put(0, 3, 3, TS, 1);
    put(0, 1, 1, TS, 1);
    put(0, 2, 2, TS, 1);
    put(1, 1, 2, TS, 1);
    put(8, 1, 3, TS, 1);
    put(9, 1, 3, TS, 1);
    if (client.conditionalStore().isPresent()) {
      // Coordination objects live beside the levels and are no LTX files.
      client.conditionalStore().get().createIfAbsent("lease", new byte[] {1});
    }
    java.util.Map<Integer, List<LtxFileInfo>> all = client.listAllLevels();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      assertEquals(client.list(level), all.getOrDefault(level, List.of()), "level " + level);
    }
    assertEquals(3, all.get(0).size());
  }

  // ---- open ----------------------------------------------------------------------------------

  @Test
  void open_wholeFile_returnsAllBytes() throws Exception {
    byte[] data = Fixtures.syntheticLtx(7, 8, TS, 5000);
    LtxFileInfo info = client.write(0, tx(7), tx(8), new ByteArrayInputStream(data));
    assertArrayEquals(data, readAll(client.open(info)));
    assertArrayEquals(data, readAll(client.open(0, tx(7), tx(8), 0, -1)));
    assertArrayEquals(data, readAll(client.open(0, tx(7), tx(8), 0, data.length)));
  }

  @Test
  void open_range_returnsSliceClippedToEnd() throws Exception {
    byte[] data = Fixtures.syntheticLtx(7, 8, TS, 900);
    int n = data.length;
    client.write(0, tx(7), tx(8), new ByteArrayInputStream(data));
    long[][] cases = {
        {0, 0}, {0, 1}, {0, 10}, {5, 100}, {n - 1, 1}, {n - 10, 100}, {10, -1}, {n - 1, -1},
        {n, -1}, {n, 5}, {n + 5, 10}, {n + 5, -1}, {0, n + 1000L}, {3, Long.MAX_VALUE}};
    for (long[] c : cases) {
      int from = (int) Math.min(c[0], n);
      int to = c[1] < 0 ? n : (int) Math.min(n, c[0] + Math.min(c[1], n));
      byte[] want = Arrays.copyOfRange(data, from, Math.max(from, to));
      assertArrayEquals(want, readAll(client.open(0, tx(7), tx(8), c[0], c[1])),
          "offset " + c[0] + " length " + c[1]);
    }
  }

  @Test
  void open_invalidRange_throwsIllegalArgument() throws Exception {
    put(0, 1, 1, TS, 10);
    assertThrows(IllegalArgumentException.class, () -> client.open(0, tx(1), tx(1), -1, 5));
    assertThrows(IllegalArgumentException.class, () -> client.open(0, tx(1), tx(1), 0, -2));
  }

  @Test
  void open_missingFile_throwsNoSuchFileNamingIt() throws Exception {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> client.open(0, tx(1), tx(2), 0, -1));
    assertTrue(e.getMessage().contains("0000000000000001-0000000000000002.ltx"), e.getMessage());
    put(0, 1, 1, TS, 10);
    assertThrows(NoSuchFileException.class, () -> client.open(0, tx(1), tx(2), 0, -1));
    assertThrows(NoSuchFileException.class, () -> client.open(1, tx(1), tx(1), 0, -1));
  }

  // ---- write ---------------------------------------------------------------------------------

  @Test
  void write_existingName_replacesContentAndTimestamp() throws Exception {
    put(0, 3, 4, TS, 50);
    byte[] second = Fixtures.syntheticLtx(3, 4, TS + 5000, 200);
    client.write(0, tx(3), tx(4), new ByteArrayInputStream(second));
    List<LtxFileInfo> listed = client.list(0, TxId.ZERO, true);
    assertEquals(1, listed.size());
    assertEquals(second.length, listed.get(0).size());
    assertEquals(Instant.ofEpochMilli(TS + 5000), listed.get(0).createdAt());
    assertArrayEquals(second, readAll(client.open(listed.get(0))));
  }

  @Test
  void write_headerNotMatchingName_throwsAndStoresNothing() throws Exception {
    byte[] wrongMax = Fixtures.syntheticLtx(1, 3, TS, 10);
    byte[] wrongMin = Fixtures.syntheticLtx(2, 2, TS, 10);
    byte[] badMagic = Fixtures.syntheticLtx(1, 2, TS, 10);
    badMagic[3] = '2';
    byte[] shortHeader = Arrays.copyOf(Fixtures.syntheticLtx(1, 2, TS, 0), 99);
    for (byte[] bad : List.of(wrongMax, wrongMin, badMagic, shortHeader, new byte[0])) {
      assertThrows(InvalidLtxHeaderException.class,
          () -> client.write(0, tx(1), tx(2), new ByteArrayInputStream(bad)));
    }
    assertEquals(List.of(), client.list(0));
    assertThrows(NoSuchFileException.class, () -> client.open(0, tx(1), tx(2), 0, -1));
  }

  @Test
  void write_headerOnly_isAccepted() throws Exception {
    LtxFileInfo info = client.write(0, tx(1), tx(2), new ByteArrayInputStream(Fixtures.ltxHeader(tx(1), tx(2), TS)));
    assertEquals(Fixtures.LTX_HEADER_SIZE, info.size());
  }

  @Test
  void write_badHeaderOverExisting_keepsOldFile() throws Exception {
    byte[] old = Fixtures.syntheticLtx(1, 2, TS, 10);
    client.write(0, tx(1), tx(2), new ByteArrayInputStream(old));
    assertThrows(InvalidLtxHeaderException.class,
        () -> client.write(0, tx(1), tx(2), new ByteArrayInputStream(Fixtures.syntheticLtx(1, 3, TS, 10))));
    assertArrayEquals(old, readAll(client.open(0, tx(1), tx(2), 0, -1)));
  }

  @Test
  void write_streamFailsMidway_nothingVisibleAndRetrySucceeds() throws Exception {
    byte[] data = Fixtures.syntheticLtx(1, 5, TS, 64 * 1024);
    byte[] prefix = Arrays.copyOf(data, 40_000);
    IOException e = assertThrows(IOException.class, () -> client.write(0, tx(1), tx(5), failingAfter(prefix)));
    assertFalse(e instanceof InvalidLtxHeaderException, e.toString());
    assertEquals(List.of(), client.list(0));
    assertThrows(NoSuchFileException.class, () -> client.open(0, tx(1), tx(5), 0, -1));
    client.write(0, tx(1), tx(5), new ByteArrayInputStream(data));
    assertEquals(1, client.list(0).size());
    assertArrayEquals(data, readAll(client.open(0, tx(1), tx(5), 0, -1)));
  }

  @Test
  void write_streamFailsMidwayOverExisting_keepsOldFile() throws Exception {
    byte[] old = Fixtures.syntheticLtx(1, 5, TS, 100);
    client.write(0, tx(1), tx(5), new ByteArrayInputStream(old));
    byte[] prefix = Arrays.copyOf(Fixtures.syntheticLtx(1, 5, TS + 1, 10_000), 5_000);
    assertThrows(IOException.class, () -> client.write(0, tx(1), tx(5), failingAfter(prefix)));
    List<LtxFileInfo> listed = client.list(0, TxId.ZERO, true);
    assertEquals(1, listed.size());
    assertEquals(Instant.ofEpochMilli(TS), listed.get(0).createdAt());
    assertArrayEquals(old, readAll(client.open(listed.get(0))));
  }

  @Test
  void write_stream_isReadToEndButNotClosed() throws Exception {
    boolean[] closed = {false};
    ByteArrayInputStream in = new ByteArrayInputStream(Fixtures.syntheticLtx(1, 1, TS, 333)) {
      @Override
      public void close() throws IOException {
        closed[0] = true;
        super.close();
      }
    };
    client.write(0, tx(1), tx(1), in);
    assertEquals(0, in.available());
    assertFalse(closed[0]);
  }

  @Test
  void write_invalidLevel_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> put(10, 1, 1, TS, 1));
    assertThrows(IllegalArgumentException.class, () -> put(-1, 1, 1, TS, 1));
  }

  @Test
  void write_concurrentDifferentFiles_allVisible() throws Exception {
    int threads = 8;
    int perThread = 10;
    Concurrently.run(threads, t -> {
      for (int i = 0; i < perThread; i++) {
        long id = 1 + t * perThread + i;
        put(t % 3, id, id, TS + id, 100 + i * 37);
      }
      return null;
    });
    int total = 0;
    for (int level = 0; level < 3; level++) {
      for (LtxFileInfo f : client.list(level, TxId.ZERO, true)) {
        byte[] want = Fixtures.syntheticLtx(f.minTxId(), f.maxTxId(), TS + f.minTxId().value(),
            (int) f.size() - Fixtures.LTX_HEADER_SIZE);
        assertArrayEquals(want, readAll(client.open(f)), f.toString());
        total++;
      }
    }
    assertEquals(threads * perThread, total);
  }

  @Test
  void write_concurrentSameName_oneWholeVersionWins() throws Exception {
    int threads = 8;
    List<byte[]> versions = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      versions.add(Fixtures.syntheticLtx(4, 6, TS + t, 20_000 + t));
    }
    Concurrently.run(threads, t -> client.write(0, tx(4), tx(6), new ByteArrayInputStream(versions.get(t))));
    List<LtxFileInfo> listed = client.list(0);
    assertEquals(1, listed.size());
    byte[] got = readAll(client.open(listed.get(0)));
    assertTrue(versions.stream().anyMatch(v -> Arrays.equals(v, got)), "content is one whole version");
  }

  // ---- delete, close -------------------------------------------------------------------------

  @Test
  void delete_existingFiles_removesOnlyThose() throws Exception {
    LtxFileInfo a = put(0, 1, 1, TS, 1);
    put(0, 2, 2, TS, 1);
    LtxFileInfo c = put(1, 1, 2, TS, 1);
    client.delete(List.of(a, c));
    assertEquals(List.of(LtxFileName.of(tx(2), tx(2))), names(0));
    assertEquals(List.of(), names(1));
  }

  @Test
  void delete_missingFiles_isIgnored() throws Exception {
    LtxFileInfo ghost = new LtxFileInfo(0, LtxFileName.of(tx(8), tx(9)), 0, Instant.EPOCH);
    LtxFileInfo ghostLevel = new LtxFileInfo(7, LtxFileName.of(tx(8), tx(9)), 0, Instant.EPOCH);
    client.delete(List.of());
    client.delete(List.of(ghost, ghostLevel));
    LtxFileInfo real = put(0, 8, 9, TS, 1);
    client.delete(List.of(real));
    client.delete(List.of(real));
    assertEquals(List.of(), names(0));
  }

  @Test
  void deleteAll_populated_removesEveryLevelAndReplicaStaysUsable() throws Exception {
    put(0, 1, 1, TS, 1);
    put(1, 1, 2, TS, 1);
    put(9, 1, 3, TS, 1);
    client.deleteAll();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      assertEquals(List.of(), names(level), "level " + level);
    }
    client.init();
    put(0, 1, 1, TS, 1);
    assertEquals(1, names(0).size());
  }

  @Test
  void deleteAll_emptyReplica_succeeds() throws Exception {
    client.deleteAll();
    client.deleteAll();
    assertEquals(List.of(), names(0));
  }

  @Test
  void close_calledTwice_isIdempotent() throws Exception {
    ReplicaClient other = newClient();
    other.init();
    other.close();
    other.close();
    client.close();
    client.close();
    client = null;
  }

  @Test
  void typeAndDescribe_areNonEmpty() {
    assertFalse(client.type().isBlank());
    assertFalse(client.describe().isBlank());
  }
}
