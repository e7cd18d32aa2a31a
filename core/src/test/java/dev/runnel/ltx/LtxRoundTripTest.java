package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Seeded random encode → decode, compaction and rebuild round trips. */
class LtxRoundTripTest {
  static byte[] randomPage(Random r, int pageSize) {
    byte[] p = new byte[pageSize];
    switch (r.nextInt(4)) {
      case 0 -> r.nextBytes(p); // incompressible
      case 1 -> {} // zeros
      default -> {
        // SQLite-ish: a header, some cells with small repeated tokens, free space.
        int used = r.nextInt(pageSize);
        for (int i = 0; i < used; i++) {
          p[i] = (byte) (r.nextInt(8) == 0 ? r.nextInt(256) : 'a' + r.nextInt(6));
        }
      }
    }
    return p;
  }

  static TreeMap<Integer, byte[]> randomPages(Random r, int pageSize, int commit, boolean all) {
    TreeMap<Integer, byte[]> m = new TreeMap<>();
    int lock = LtxHeader.lockPgno(pageSize);
    for (int pgno = 1; pgno <= commit; pgno++) {
      if (pgno != lock && (all || r.nextInt(3) == 0)) {
        m.put(pgno, randomPage(r, pageSize));
      }
    }
    return m;
  }

  static byte[] encode(LtxHeader h, LtxEncoder.Options o, TreeMap<Integer, byte[]> pages) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder e = new LtxEncoder(out, h, o);
    for (var p : pages.entrySet()) {
      e.encodePage(p.getKey(), p.getValue());
    }
    e.finish();
    return out.toByteArray();
  }

  private static TreeMap<Integer, byte[]> decode(byte[] f, LtxHeader expectHeader) throws IOException {
    LtxDecoder d = new LtxDecoder(new ByteArrayInputStream(f), "roundtrip");
    assertEquals(expectHeader, d.header());
    TreeMap<Integer, byte[]> m = new TreeMap<>();
    byte[] buf = new byte[d.header().pageSize()];
    int pgno;
    while ((pgno = d.nextPage(buf)) != 0) {
      m.put(pgno, buf.clone());
    }
    return m;
  }

  private static void assertSame(TreeMap<Integer, byte[]> want, TreeMap<Integer, byte[]> got) {
    assertEquals(want.keySet(), got.keySet());
    for (var e : want.entrySet()) {
      assertArrayEquals(e.getValue(), got.get(e.getKey()), "pgno " + e.getKey());
    }
  }

  @Test
  void encodeDecode_randomPagesAllSizesBothEncodings_identical() throws IOException {
    Random r = new Random(20250101);
    for (int pageSize = 512; pageSize <= 65536; pageSize *= 2) {
      for (PageEncoding enc : PageEncoding.values()) {
        for (boolean snapshot : new boolean[] {true, false}) {
          int commit = 1 + r.nextInt(Math.max(2, 400000 / pageSize));
          TreeMap<Integer, byte[]> pages = randomPages(r, pageSize, commit, snapshot);
          LtxHeader h = LtxHeader.of(pageSize, commit, snapshot ? TxId.ONE : TxId.of(5), TxId.of(7), r.nextLong() >>> 1);
          LtxEncoder.Options o = new LtxEncoder.Options(enc, false);
          byte[] f = encode(h, o, pages);
          assertSame(pages, decode(f, h));
          LtxFileSummary s = LtxDecoder.verify(new ByteArrayInputStream(f), "s");
          assertEquals(pages.size(), s.pageCount());
          if (snapshot) {
            // A tracked snapshot: the encoder computes and the decoder verifies the post-apply checksum.
            byte[] t = encode(h, o.withTrackChecksums(true), pages);
            decode(t, h.withFlags(0));
          }
        }
      }
    }
  }

  @Test
  void encodeDecode_pagesAroundLockPage_skipLockPage() throws IOException {
    for (int pageSize : new int[] {512, 1024, 65536}) {
      int lock = LtxHeader.lockPgno(pageSize);
      assertEquals(pageSize == 512 ? 2097153 : pageSize == 1024 ? 1048577 : 16385, lock);
      TreeMap<Integer, byte[]> pages = new TreeMap<>();
      Random r = new Random(pageSize);
      pages.put(lock - 1, randomPage(r, pageSize));
      pages.put(lock + 1, randomPage(r, pageSize));
      LtxHeader h = LtxHeader.of(pageSize, lock + 2, TxId.of(9), TxId.of(9), 0);
      assertSame(pages, decode(encode(h, LtxEncoder.Options.DEFAULT, pages), h));
    }
  }

  /** Discards writes but checks the lock page is zeros and records the last page. */
  private static final class CheckingChannel implements SeekableByteChannel {
    long pos;
    long size;
    final long lockStart;
    final int pageSize;
    byte[] lastPage;

    CheckingChannel(int pageSize) {
      this.pageSize = pageSize;
      this.lockStart = (long) (LtxHeader.lockPgno(pageSize) - 1) * pageSize;
    }

    @Override
    public int write(ByteBuffer b) {
      int n = b.remaining();
      byte[] copy = new byte[n];
      b.get(copy);
      // Writes may span many pages: check whatever part of the lock page this one covers.
      long from = Math.max(pos, lockStart);
      long to = Math.min(pos + n, lockStart + pageSize);
      for (long i = from; i < to; i++) {
        if (copy[(int) (i - pos)] != 0) {
          throw new AssertionError("lock page zeros: byte " + (i - lockStart) + " is " + copy[(int) (i - pos)]);
        }
      }
      if (n >= pageSize) {
        lastPage = java.util.Arrays.copyOfRange(copy, n - pageSize, n);
      }
      pos += n;
      size = Math.max(size, pos);
      return n;
    }

    @Override
    public int read(ByteBuffer dst) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
      return pos;
    }

    @Override
    public SeekableByteChannel position(long p) {
      pos = p;
      return this;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public SeekableByteChannel truncate(long s) {
      size = Math.min(size, s);
      return this;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void materialize_snapshotAcrossLockPage_writesZerosAndExactSize() throws IOException {
    // 1 GiB + a few pages of 65536 bytes: 16388 pages, mostly zeros so it stays fast.
    int pageSize = 65536;
    int lock = LtxHeader.lockPgno(pageSize);
    int commit = lock + 3;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder e = new LtxEncoder(out, LtxHeader.of(pageSize, commit, TxId.ONE, TxId.ONE, 0));
    byte[] zero = new byte[pageSize];
    byte[] marked = new byte[pageSize];
    for (int pgno = 1; pgno <= commit; pgno++) {
      if (pgno == lock) {
        continue;
      }
      marked[0] = (byte) pgno;
      e.encodePage(pgno, pgno == commit || pgno == lock - 1 ? marked : zero);
    }
    e.finish();
    byte[] snap = out.toByteArray();
    // The incremental overwrites the last page and truncates nothing.
    TreeMap<Integer, byte[]> inc = new TreeMap<>();
    byte[] last = new byte[pageSize];
    last[7] = 42;
    inc.put(commit, last);
    byte[] f2 = encode(LtxHeader.of(pageSize, commit, TxId.of(2), TxId.of(2), 0), LtxEncoder.Options.DEFAULT, inc);
    CheckingChannel ch = new CheckingChannel(pageSize);
    LtxMaterializer.Result res = LtxMaterializer.materialize(List.of(
        new LtxDecoder(new ByteArrayInputStream(snap), "snap"), new LtxDecoder(new ByteArrayInputStream(f2), "inc")), ch);
    assertEquals((long) commit * pageSize, ch.size());
    assertEquals((long) commit * pageSize, res.size());
    assertArrayEquals(last, ch.lastPage);
  }

  @Test
  void compact_randomChains_matchModel() throws IOException {
    Random r = new Random(99);
    for (int round = 0; round < 20; round++) {
      int pageSize = 512 << r.nextInt(4);
      int n = 1 + r.nextInt(4);
      TreeMap<Integer, byte[]> model = new TreeMap<>();
      List<byte[]> files = new ArrayList<>();
      int commit = 1 + r.nextInt(60);
      boolean fromSnapshot = r.nextBoolean();
      long tx = fromSnapshot ? 1 : 10;
      for (int i = 0; i < n; i++) {
        int prevCommit = i == 0 ? 0 : commit;
        commit = Math.max(1, commit + r.nextInt(21) - 10);
        boolean snap = fromSnapshot && i == 0;
        TreeMap<Integer, byte[]> pages = randomPages(r, pageSize, commit, snap);
        for (int p = prevCommit + 1; p <= commit; p++) {
          pages.computeIfAbsent(p, k -> randomPage(r, pageSize)); // growth pages (spec §13)
        }
        model.putAll(pages);
        model.tailMap(commit, false).clear();
        PageEncoding enc = PageEncoding.values()[r.nextInt(2)];
        files.add(encode(LtxHeader.of(pageSize, commit, TxId.of(tx), TxId.of(tx), 1000 + i),
            LtxEncoder.Options.DEFAULT.withEncoding(enc), pages));
        tx++;
      }
      List<LtxDecoder> in = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        in.add(new LtxDecoder(new ByteArrayInputStream(files.get(i)), "f" + i));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      LtxCompactor.Result res = LtxCompactor.compact(in, out);
      LtxHeader want = LtxHeader.of(pageSize, commit, TxId.of(fromSnapshot ? 1 : 10), TxId.of(tx - 1), 1000 + n - 1);
      assertEquals(want, res.header());
      TreeMap<Integer, byte[]> got = decode(out.toByteArray(), want);
      assertSame(model, got);
    }
  }

  @Test
  void compact_corruptInput_failsWithoutFinishing() throws IOException {
    TreeMap<Integer, byte[]> pages = randomPages(new Random(1), 4096, 5, true);
    byte[] a = encode(LtxHeader.of(4096, 5, TxId.ONE, TxId.ONE, 0), LtxEncoder.Options.DEFAULT, pages);
    byte[] b = encode(LtxHeader.of(4096, 5, TxId.of(2), TxId.of(2), 0), LtxEncoder.Options.DEFAULT, pages);
    b[b.length - 3] ^= 1; // file checksum of the second input
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<LtxDecoder> in = List.of(new LtxDecoder(new ByteArrayInputStream(a), "a"), new LtxDecoder(new ByteArrayInputStream(b), "b"));
    LtxCorruptException e = org.junit.jupiter.api.Assertions.assertThrows(LtxCorruptException.class, () -> LtxCompactor.compact(in, out));
    assertEquals("b", e.source());
    InputStream partial = new ByteArrayInputStream(out.toByteArray());
    org.junit.jupiter.api.Assertions.assertThrows(LtxCorruptException.class, () -> LtxDecoder.verify(partial, "partial"));
  }

  @Test
  void compact_gapBetweenInputs_rejectedUnlessAllowed() throws IOException {
    TreeMap<Integer, byte[]> pages = randomPages(new Random(2), 4096, 3, false);
    pages.put(1, new byte[4096]);
    byte[] a = encode(LtxHeader.of(4096, 3, TxId.of(2), TxId.of(2), 0), LtxEncoder.Options.DEFAULT, pages);
    byte[] b = encode(LtxHeader.of(4096, 3, TxId.of(4), TxId.of(4), 0), LtxEncoder.Options.DEFAULT, pages);
    org.junit.jupiter.api.Assertions.assertThrows(LtxCorruptException.class, () -> LtxCompactor.compact(List.of(
        new LtxDecoder(new ByteArrayInputStream(a), "a"), new LtxDecoder(new ByteArrayInputStream(b), "b")), new ByteArrayOutputStream()));
    LtxCompactor.compact(List.of(new LtxDecoder(new ByteArrayInputStream(a), "a"), new LtxDecoder(new ByteArrayInputStream(b), "b")),
        new ByteArrayOutputStream(), new LtxCompactor.Options(LtxEncoder.Options.DEFAULT, true));
  }

  @Test
  void materialize_missingPage_rejected() throws IOException {
    byte[] inc = encode(LtxHeader.of(4096, 3, TxId.of(2), TxId.of(2), 0), LtxEncoder.Options.DEFAULT,
        new TreeMap<>(java.util.Map.of(3, new byte[4096])));
    byte[] snap = encode(LtxHeader.of(4096, 1, TxId.ONE, TxId.ONE, 0), LtxEncoder.Options.DEFAULT,
        new TreeMap<>(java.util.Map.of(1, new byte[4096])));
    // Growth 1 -> 3 without page 2: the merged database has a hole.
    LtxCorruptException e = org.junit.jupiter.api.Assertions.assertThrows(LtxCorruptException.class,
        () -> LtxMaterializer.materialize(List.of(new LtxDecoder(new ByteArrayInputStream(snap), "s"),
            new LtxDecoder(new ByteArrayInputStream(inc), "i")), new MemoryChannel()));
    assertEquals("page 2", e.field());
  }
}
