package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel materializer against the streaming one ({@link LtxMaterializer#materialize(List,
 * java.nio.channels.SeekableByteChannel)}), which is the reference: same bytes and result for valid
 * chains, and a rejection for every input the reference rejects.
 */
class ParallelMaterializerTest {
  @TempDir Path tmp;

  /** An LTX file held in memory. */
  record BytesInput(String source, byte[] bytes) implements ParallelMaterializer.Input {
    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      if (position + len > bytes.length) {
        throw new java.io.EOFException(source + ": read past the end");
      }
      System.arraycopy(bytes, (int) position, dst, off, len);
    }
  }

  /** Positional writes into memory (synchronized: workers write concurrently). */
  static final class MemoryOutput implements ParallelMaterializer.Output {
    private byte[] data = new byte[0];
    private long size;

    @Override
    public synchronized void write(long position, byte[] src, int off, int len) {
      long end = position + len;
      if (end > data.length) {
        data = Arrays.copyOf(data, (int) Math.max(end, data.length * 2L));
      }
      System.arraycopy(src, off, data, (int) position, len);
      size = Math.max(size, end);
    }

    @Override
    public synchronized void truncate(long s) {
      size = Math.min(size, s);
    }

    synchronized byte[] bytes() {
      return Arrays.copyOf(data, (int) size);
    }
  }

  /** What the streaming materializer produces, or the exception it throws. */
  private record Outcome(byte[] db, LtxMaterializer.Result result, IOException error) {}

  private static Outcome streaming(List<byte[]> files) {
    try {
      List<LtxDecoder> d = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        d.add(new LtxDecoder(new ByteArrayInputStream(files.get(i)), "f" + i));
      }
      MemoryChannel ch = new MemoryChannel();
      LtxMaterializer.Result r = LtxMaterializer.materialize(d, ch);
      return new Outcome(ch.toByteArray(), r, null);
    } catch (IOException e) {
      return new Outcome(null, null, e);
    }
  }

  private static Outcome parallel(List<byte[]> files, int threads, int chunkPages) {
    try {
      List<ParallelMaterializer.Input> in = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        in.add(new BytesInput("f" + i, files.get(i)));
      }
      MemoryOutput out = new MemoryOutput();
      LtxMaterializer.Result r = ParallelMaterializer.materialize(in, out, threads, chunkPages);
      return new Outcome(out.bytes(), r, null);
    } catch (IOException e) {
      return new Outcome(null, null, e);
    }
  }

  /** A chain: snapshot then incrementals with growth and shrink, optionally checksum-tracked. */
  private static List<byte[]> randomChain(Random r, int pageSize, boolean tracked) throws IOException {
    TreeMap<Integer, byte[]> model = new TreeMap<>();
    List<byte[]> files = new ArrayList<>();
    int commit = 1 + r.nextInt(Math.max(2, 300_000 / pageSize));
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      int prevCommit = i == 0 ? 0 : commit;
      if (i > 0) {
        commit = Math.max(1, commit + r.nextInt(21) - 10);
      }
      TreeMap<Integer, byte[]> pages = LtxRoundTripTest.randomPages(r, pageSize, commit, i == 0);
      for (int p = prevCommit + 1; p <= commit; p++) {
        pages.computeIfAbsent(p, k -> LtxRoundTripTest.randomPage(r, pageSize));
      }
      long pre = checksum(model);
      model.putAll(pages);
      model.tailMap(commit, false).clear();
      LtxHeader h = LtxHeader.of(pageSize, commit, TxId.of(i + 1), TxId.of(i + 1), 1000 + i);
      LtxEncoder.Options o = new LtxEncoder.Options(PageEncoding.values()[r.nextInt(2)], tracked);
      if (tracked && i > 0) {
        h = h.withPreApplyChecksum(pre);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      LtxEncoder e = new LtxEncoder(out, h, o);
      for (var p : pages.entrySet()) {
        e.encodePage(p.getKey(), p.getValue());
      }
      if (tracked) {
        e.finish(checksum(model));
      } else {
        e.finish();
      }
      files.add(out.toByteArray());
    }
    return files;
  }

  private static long checksum(TreeMap<Integer, byte[]> model) {
    DatabaseChecksum c = new DatabaseChecksum();
    model.forEach((pgno, page) -> c.addPage(pgno, page, 0, page.length));
    return c.value();
  }

  @Test
  void materialize_randomChainsPageSizes512To65536_identicalToStreaming() throws IOException {
    Random r = new Random(314159);
    for (int pageSize = 512; pageSize <= 65536; pageSize *= 2) {
      for (int round = 0; round < 4; round++) {
        boolean tracked = round % 2 == 1;
        List<byte[]> files = randomChain(r, pageSize, tracked);
        Outcome want = streaming(files);
        if (want.error != null) {
          throw want.error;
        }
        int threads = 1 + r.nextInt(4);
        int chunkPages = 1 + r.nextInt(7);
        Outcome got = parallel(files, threads, chunkPages);
        String where = "pageSize " + pageSize + " round " + round + " threads " + threads + " chunk " + chunkPages;
        if (got.error != null) {
          throw new AssertionError(where, got.error);
        }
        assertArrayEquals(want.db, got.db, where);
        assertEquals(want.result, got.result, where);
        assertEquals(want.result, parallel(files, 2, 0).result, where + " default chunks");
      }
    }
  }

  private static List<List<byte[]>> fixtureChains() {
    String[] n123 = {LtxFixtures.N1, LtxFixtures.N2, LtxFixtures.N3};
    List<List<byte[]>> chains = new ArrayList<>();
    for (String dir : new String[] {"nochecksum", "checksum"}) {
      chains.add(Arrays.stream(n123).map(x -> LtxFixtures.bytes(dir + "/" + x)).toList());
    }
    chains.add(List.of(LtxFixtures.bytes("legacy/" + LtxFixtures.N1), LtxFixtures.bytes("legacy/" + LtxFixtures.N2)));
    chains.add(List.of(LtxFixtures.bytes("nochecksum/" + LtxFixtures.N13)));
    return chains;
  }

  @Test
  void materialize_everyByteFlipOfFixtureChains_rejectedWhenStreamingRejects() {
    int flips = 0;
    int rejected = 0;
    for (List<byte[]> chain : fixtureChains()) {
      for (int f = 0; f < chain.size(); f++) {
        byte[] file = chain.get(f);
        for (int i = 0; i < file.length; i++) {
          // Every byte XOR 0xFF, every other byte also XOR 0x01 (single-bit flips).
          for (int mask : i % 2 == 0 ? new int[] {0xFF, 0x01} : new int[] {0xFF}) {
            List<byte[]> m = new ArrayList<>(chain);
            byte[] c = file.clone();
            c[i] ^= (byte) mask;
            m.set(f, c);
            Outcome want = streaming(m);
            // Chunks of 3 pages so every file spans several ranges; threads mostly 1 to keep this
            // fast (concurrency is covered by the random-chain test).
            Outcome got = parallel(m, i % 8 == 0 ? 2 : 1, 3);
            String where = "file " + f + " byte " + i + " ^" + Integer.toHexString(mask);
            flips++;
            if (want.error != null) {
              rejected++;
              assertTrue(got.error instanceof LtxCorruptException, where + ": streaming rejects (" + want.error.getMessage()
                  + ") but parallel gave " + (got.error == null ? "a database" : got.error.toString()));
            } else {
              // Benign flips (another LZ4 encoding of the same page) must still give the same database.
              if (got.error != null) {
                throw new AssertionError(where + ": streaming accepts, parallel rejects", got.error);
              }
              assertArrayEquals(want.db, got.db, where);
            }
          }
        }
      }
    }
    assertTrue(rejected > flips * 9 / 10, rejected + " of " + flips + " flips rejected");
  }

  @Test
  void materialize_everyTruncationOfLastFile_rejected() {
    for (List<byte[]> chain : fixtureChains()) {
      byte[] last = chain.get(chain.size() - 1);
      for (int len = 0; len < last.length; len++) {
        List<byte[]> m = new ArrayList<>(chain);
        m.set(m.size() - 1, Arrays.copyOf(last, len));
        Outcome got = parallel(m, 2, 2);
        assertTrue(got.error instanceof LtxCorruptException, "length " + len + ": " + got.error);
      }
    }
  }

  @Test
  void materialize_pageByteFlippedInAnyChunk_failsJoinedFileChecksum() throws IOException {
    // Random pages stored as LZ4 literals: a flipped literal byte is valid LZ4 that decodes to a
    // different page, so only the file checksum (joined from every chunk's CRC) can catch it.
    int pageSize = 4096;
    TreeMap<Integer, byte[]> pages = new TreeMap<>();
    Random r = new Random(7);
    for (int pgno = 1; pgno <= 40; pgno++) {
      byte[] p = new byte[pageSize];
      r.nextBytes(p);
      pages.put(pgno, p);
    }
    byte[] file = LtxRoundTripTest.encode(LtxHeader.of(pageSize, 40, TxId.ONE, TxId.ONE, 0), LtxEncoder.Options.DEFAULT,
        pages);
    LtxFileSummary s = LtxDecoder.verify(new ByteArrayInputStream(file), "s");
    for (int pgno : new int[] {1, 7, 8, 9, 20, 33, 40}) {
      LtxPageInfo info = s.pages().get(pgno - 1);
      byte[] m = file.clone();
      // Well inside the block, past the LZ4 token: a literal byte of incompressible data.
      m[(int) info.frameOffset() + 10 + 100] ^= 0x10;
      Outcome got = parallel(List.of(m), 3, 8);
      LtxCorruptException e = assertThrows(LtxCorruptException.class, () -> {
        throw got.error == null ? new AssertionError("pgno " + pgno + " flip accepted") : got.error;
      });
      assertEquals("file checksum", e.field(), e.getMessage());
      assertEquals("f0", e.source());
    }
  }

  @Test
  void materializeFiles_corruptFile_reportsTheStreamingDecodersError() throws IOException {
    TreeMap<Integer, byte[]> pages = LtxRoundTripTest.randomPages(new Random(3), 4096, 30, true);
    byte[] file = LtxRoundTripTest.encode(LtxHeader.of(4096, 30, TxId.ONE, TxId.ONE, 0), LtxEncoder.Options.DEFAULT,
        pages);
    file[file.length - 30] ^= 0x40; // inside the page index
    Path p = tmp.resolve("snap.ltx");
    Files.write(p, file);
    IOException want = streaming(List.of(file)).error;
    assertTrue(want instanceof LtxCorruptException, String.valueOf(want));
    try (FileChannel out = FileChannel.open(tmp.resolve("out.db"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      LtxCorruptException e = assertThrows(LtxCorruptException.class, () -> LtxMaterializer.materializeFiles(
          List.of(new LtxMaterializer.FileInput(p, "f0")), out, 2, 4));
      assertEquals(want.getMessage(), e.getMessage());
    }
  }

  @Test
  void materializeFiles_validChainOnDisk_sameBytesAsStreaming() throws IOException {
    Random r = new Random(11);
    List<byte[]> files = randomChain(r, 1024, false);
    List<LtxMaterializer.FileInput> in = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path p = tmp.resolve(i + ".ltx");
      Files.write(p, files.get(i));
      in.add(new LtxMaterializer.FileInput(p, "f" + i));
    }
    Path db = tmp.resolve("out.db");
    Files.write(db, new byte[5_000_000]); // longer than the result: must be cut to size
    try (FileChannel out = FileChannel.open(db, StandardOpenOption.WRITE)) {
      LtxMaterializer.Result res = LtxMaterializer.materializeFiles(in, out, 3, 5);
      assertEquals(streaming(files).result, res);
    }
    assertArrayEquals(streaming(files).db, Files.readAllBytes(db));
  }

  @Test
  void materialize_missingPage_rejectedLikeStreaming() throws IOException {
    byte[] inc = LtxRoundTripTest.encode(LtxHeader.of(4096, 3, TxId.of(2), TxId.of(2), 0), LtxEncoder.Options.DEFAULT,
        new TreeMap<>(Map.of(3, new byte[4096])));
    byte[] snap = LtxRoundTripTest.encode(LtxHeader.of(4096, 1, TxId.ONE, TxId.ONE, 0), LtxEncoder.Options.DEFAULT,
        new TreeMap<>(Map.of(1, new byte[4096])));
    IOException want = streaming(List.of(snap, inc)).error;
    IOException got = parallel(List.of(snap, inc), 2, 1).error;
    assertTrue(got instanceof LtxCorruptException, String.valueOf(got));
    assertEquals(want.getMessage(), got.getMessage());
  }

  /**
   * A 1.5 GiB database (64 KiB pages across the lock page) materialized in a child JVM whose heap
   * is 64 MiB: any buffer proportional to the database would fail with OutOfMemoryError.
   */
  @Test
  void materialize_databaseMuchLargerThanHeap_succeedsInSmallHeap() throws Exception {
    Path ltx = tmp.resolve("big.ltx");
    int pageSize = 65536;
    int commit = 24576;
    try (var os = new java.io.BufferedOutputStream(Files.newOutputStream(ltx))) {
      LtxEncoder e = new LtxEncoder(os, LtxHeader.of(pageSize, commit, TxId.ONE, TxId.ONE, 0));
      byte[] page = new byte[pageSize];
      int lock = LtxHeader.lockPgno(pageSize);
      for (int pgno = 1; pgno <= commit; pgno++) {
        if (pgno != lock) {
          LargeChild.mark(page, pgno);
          e.encodePage(pgno, page);
        }
      }
      e.finish();
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), LargeChild.class.getName(),
        ltx.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
    assertTrue(output.contains("ok " + (long) commit * pageSize), output);
  }

  /** Child main for the large test: materializes into a checking sink that keeps nothing. */
  static final class LargeChild {
    static void mark(byte[] page, int pgno) {
      page[0] = (byte) pgno;
      page[1] = (byte) (pgno >>> 8);
      page[pageSizeMarkOffset(page)] = (byte) (pgno * 31);
    }

    private static int pageSizeMarkOffset(byte[] page) {
      return page.length - 1;
    }

    public static void main(String[] args) throws Exception {
      try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
        int pageSize = 65536;
        int lock = LtxHeader.lockPgno(pageSize);
        long[] checked = new long[1];
        ParallelMaterializer.Output sink = new ParallelMaterializer.Output() {
          @Override
          public void write(long position, byte[] src, int off, int len) {
            byte[] want = new byte[pageSize];
            for (int k = 0; k < len / pageSize; k++) {
              int pgno = (int) (position / pageSize) + 1 + k;
              Arrays.fill(want, (byte) 0);
              if (pgno != lock) {
                mark(want, pgno);
              }
              if (!Arrays.equals(want, 0, pageSize, src, off + k * pageSize, off + (k + 1) * pageSize)) {
                throw new AssertionError("page " + pgno + " differs");
              }
            }
            synchronized (checked) {
              checked[0] += len;
            }
          }

          @Override
          public void truncate(long size) {}
        };
        LtxMaterializer.Result r = ParallelMaterializer.materialize(
            List.of(new LtxMaterializer.ChannelInput(ch, "big")), sink, 2, 0);
        if (checked[0] != r.size()) {
          fail("wrote " + checked[0] + " of " + r.size());
        }
        System.out.println("ok " + r.size());
      }
    }
  }
}
