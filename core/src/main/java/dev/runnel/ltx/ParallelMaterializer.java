package dev.runnel.ltx;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * {@link LtxMaterializer} for inputs that can be read at any offset: the page indexes split the
 * database into chunks of consecutive pgnos, and worker threads each decode one chunk of every
 * input (latest input wins), check it and write it with one positional write.
 *
 * <p>The checks are those of {@link LtxDecoder} plus {@link LtxMaterializer}: the index must
 * describe back-to-back frames from the header to the end marker (so the frames are exactly what a
 * streaming decoder would read), every frame's pgno equals its index entry and obeys the ordering
 * rules, and each worker computes the raw CRC-64 of its part of each file's checksummed stream
 * (page headers, size fields, decompressed pages); the parts are joined in file order with
 * {@link Crc64Combine} into the file checksum, which is compared as strictly as in the decoder.
 * Page checksums (spec §10), needed only for checksum-tracked inputs, are derived from the same
 * per-page CRC pass instead of a second one.
 *
 * <p>Memory: per worker one chunk of output ({@link #CHUNK_BYTES}) and the compressed frames of
 * that chunk; plus each input's page index, as in {@link LtxDecoder}. Independent of the database
 * size otherwise. Stateless; one call uses its own threads and joins them before returning.
 */
final class ParallelMaterializer {
  /**
   * Target output bytes per chunk. Small enough that a chunk is still in the CPU caches when it is
   * hashed and written (4 MiB chunks cost 10–30 % more time than 128–256 KiB ones in interleaved
   * measurements), large enough that system calls and CRC joins are negligible.
   */
  static final int CHUNK_BYTES = 256 << 10;

  /** Random-access input; {@link #readFully} must allow concurrent calls. */
  interface Input {
    String source();

    long size() throws IOException;

    /** Reads exactly {@code len} bytes at {@code position}, or throws. */
    void readFully(long position, byte[] dst, int off, int len) throws IOException;
  }

  /** Positional output; {@link #write} must allow concurrent calls at disjoint positions. */
  interface Output {
    void write(long position, byte[] src, int off, int len) throws IOException;

    void truncate(long size) throws IOException;
  }

  private final List<Src> inputs;
  private final Output out;
  private final int pageSize;
  private final int lock;
  private final int commit;
  private final int chunkPages;
  private final int chunks;
  private final boolean tracked;
  private final String what;
  private final long[] shiftPage;
  private final ReentrantLock writeLock = new ReentrantLock();

  // Coordination (guarded by this): chunks are handed out in order and their CRC parts joined in
  // order; at most `window` chunks may be handed out ahead of the join point.
  private final int window;
  private int nextChunk;
  private int joined;
  private final Part[] pending;
  private Throwable failure;

  private ParallelMaterializer(List<Src> inputs, Output out, int chunkPages, int threads) throws LtxCorruptException {
    this.inputs = inputs;
    this.out = out;
    Src first = inputs.get(0);
    Src last = inputs.get(inputs.size() - 1);
    this.what = LtxMaterializer.describe(first.source, last.source);
    this.pageSize = first.header.pageSize();
    this.lock = first.header.lockPgno();
    this.commit = PageMerger.checkOrder(inputs.stream().map(s -> s.header).toList(),
        inputs.stream().map(s -> s.source).toList(), false);
    this.tracked = inputs.stream().noneMatch(s -> s.header.noChecksum());
    this.chunkPages = chunkPages > 0 ? chunkPages : Math.max(1, CHUNK_BYTES / pageSize);
    int maxPgno = commit;
    for (Src s : inputs) {
      if (s.index.size() > 0) {
        maxPgno = Math.max(maxPgno, s.index.pgno(s.index.size() - 1));
      }
    }
    this.chunks = (int) ((maxPgno + (long) this.chunkPages - 1) / this.chunkPages);
    this.window = 4 * threads;
    this.pending = new Part[window];
    this.shiftPage = Crc64Combine.operator(pageSize);
  }

  /**
   * Rebuilds the database of {@code sources} (sorted by TXID, contiguous, starting at a snapshot)
   * into {@code out} on {@code threads} threads.
   *
   * @param chunkPages pages per chunk, or 0 for {@link #CHUNK_BYTES} worth
   * @throws LtxCorruptException if an input is corrupt, the first is not a snapshot or a page is
   *     missing
   */
  static LtxMaterializer.Result materialize(List<Input> sources, Output out, int threads, int chunkPages)
      throws IOException {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no inputs");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    List<Src> inputs = new ArrayList<>(sources.size());
    for (Input in : sources) {
      inputs.add(Src.open(in));
    }
    LtxMaterializer.requireSnapshot(inputs.get(0).header, inputs.get(0).source);
    ParallelMaterializer m = new ParallelMaterializer(inputs, out, chunkPages, threads);
    return m.run(Math.min(threads, Math.max(1, m.chunks)));
  }

  private LtxMaterializer.Result run(int threads) throws IOException {
    long dbXor = 0;
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      workers.add(new Worker());
    }
    if (threads == 1) {
      workers.get(0).run();
    } else {
      AtomicInteger n = new AtomicInteger();
      try (ExecutorService ex = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "runnel-restore-decode-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      })) {
        workers.forEach(w -> ex.execute(w::run));
      }
    }
    synchronized (this) {
      if (failure != null) {
        throw dev.runnel.io.Failures.rethrow(failure);
      }
    }
    for (Worker w : workers) {
      dbXor ^= w.dbXor;
    }
    for (Src s : inputs) {
      s.finish();
    }
    Src first = inputs.get(0);
    Src last = inputs.get(inputs.size() - 1);
    long dbChecksum = DatabaseChecksum.FLAG | dbXor;
    if (tracked) {
      LtxMaterializer.checkPostApply(last.source, last.post, dbChecksum);
    }
    long size = (long) commit * pageSize;
    out.truncate(size);
    return new LtxMaterializer.Result(LtxMaterializer.mergedHeader(first.header, last.header, commit),
        tracked ? dbChecksum : 0, size);
  }

  /** The entries of each input that fall into one chunk: {@code from[i]..to[i]) of input i. */
  private record Chunk(int number, int lo, int hi, int[] from, int[] to) {}

  /** A chunk's share of each input's CRC: raw register from 0 over {@code length[i]} bytes. */
  private record Part(long[] crc, long[] length) {}

  private synchronized Chunk take() throws InterruptedException {
    while (failure == null && nextChunk < chunks && nextChunk - joined >= window) {
      wait();
    }
    if (failure != null || nextChunk >= chunks) {
      return null;
    }
    int c = nextChunk++;
    int lo = 1 + c * chunkPages;
    int hi = (int) Math.min((long) lo + chunkPages, Integer.MAX_VALUE);
    int[] from = new int[inputs.size()];
    int[] to = new int[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      Src s = inputs.get(i);
      from[i] = s.cursor;
      while (s.cursor < s.index.size() && s.index.pgno(s.cursor) < hi) {
        s.cursor++;
      }
      to[i] = s.cursor;
    }
    return new Chunk(c, lo, hi, from, to);
  }

  private synchronized void done(Chunk c, Part p) {
    pending[c.number % window] = p;
    while (joined < nextChunk && pending[joined % window] != null) {
      Part q = pending[joined % window];
      pending[joined % window] = null;
      for (int i = 0; i < inputs.size(); i++) {
        Src s = inputs.get(i);
        s.state = Crc64Combine.shiftOnce(s.state, q.length[i]) ^ q.crc[i];
      }
      joined++;
    }
    notifyAll();
  }

  private synchronized void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    notifyAll();
  }

  /** One input: header, index, tail and the running join of its checksum. */
  private static final class Src {
    final Input in;
    final String source;
    final LtxHeader header;
    final LtxPageIndex index;
    /** Bytes from the end marker up to the file checksum: hashed last. */
    final byte[] tail;
    final long tailOffset;
    final long post;
    final long stored;
    /** Raw CRC register of everything joined so far (header first). */
    long state;
    /** XOR of page checksums, kept for checksum-tracked snapshots (guarded by the materializer). */
    long snapXor;
    int cursor;

    private Src(Input in, LtxHeader header, LtxPageIndex index, byte[] headerBytes, byte[] tail, long tailOffset) {
      this.in = in;
      this.source = in.source();
      this.header = header;
      this.index = index;
      this.tail = tail;
      this.tailOffset = tailOffset;
      this.post = index.trailer().postApplyChecksum();
      this.stored = index.trailer().fileChecksum();
      this.state = Crc64Iso.updateState(-1L, headerBytes, 0, LtxHeader.SIZE);
    }

    static Src open(Input in) throws IOException {
      String source = in.source();
      long size = in.size();
      // LtxPageReader validates the header, file size and index structure the way ranged readers do.
      LtxPageReader reader = new LtxPageReader(new RangeReader() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public java.io.InputStream open(long offset, long length) throws IOException {
          byte[] b = new byte[Math.toIntExact(length)];
          in.readFully(offset, b, 0, b.length);
          return new ByteArrayInputStream(b);
        }
      }, source);
      LtxPageIndex index = reader.index();
      long expect = LtxHeader.SIZE;
      for (int i = 0; i < index.size(); i++) {
        if (index.offset(i) != expect) {
          throw new LtxCorruptException(source, "page index entry " + i + " offset", Long.toString(expect),
              Long.toString(index.offset(i)));
        }
        expect += index.frameSize(i);
      }
      long endMarker = index.indexOffset() - 6;
      if (expect != endMarker) {
        throw new LtxCorruptException(source, "end marker", "at offset " + expect + " (after the last frame)",
            "at offset " + endMarker);
      }
      byte[] headerBytes = new byte[LtxHeader.SIZE];
      in.readFully(0, headerBytes, 0, LtxHeader.SIZE);
      byte[] tail = new byte[Math.toIntExact(size - 8 - endMarker)];
      in.readFully(endMarker, tail, 0, tail.length);
      for (int i = 0; i < 6; i++) {
        if (tail[i] != 0) {
          throw new LtxCorruptException(source, "end marker at offset " + endMarker, "6 zero bytes",
              "0x" + java.util.HexFormat.of().formatHex(tail, 0, 6));
        }
      }
      return new Src(in, reader.header(), index, headerBytes, tail, endMarker);
    }

    /** Hashes the tail, then checks the file checksum, trailer and (tracked snapshots) post-apply checksum. */
    void finish() throws LtxCorruptException {
      long s = Crc64Iso.updateState(state, tail, 0, tail.length);
      long actual = DatabaseChecksum.FLAG | ~s;
      if (stored != actual) {
        throw new LtxCorruptException(source, "file checksum", LtxCorruptException.hex64(actual),
            LtxCorruptException.hex64(stored));
      }
      LtxHeader.Problem problem = LtxTrailer.problem(header, post, stored);
      if (problem != null) {
        throw problem.toException(source);
      }
      if (trackedSnapshot()) {
        long computed = DatabaseChecksum.FLAG | snapXor;
        if (computed != post) {
          throw new LtxCorruptException(source, "post-apply checksum", LtxCorruptException.hex64(computed),
              LtxCorruptException.hex64(post));
        }
      }
    }

    boolean trackedSnapshot() {
      return header.isSnapshot() && !header.noChecksum();
    }
  }

  /** Decodes whole chunks; one per thread, so its buffers need no locking. */
  private final class Worker {
    final byte[] pages = new byte[chunkPages * pageSize];
    final long[] pageCk = new long[chunkPages];
    final boolean[] filled = new boolean[chunkPages];
    final byte[] scratch = new byte[pageSize];
    final LZ4SafeDecompressor decompressor = LtxEncoder.LZ4.safeDecompressor();
    final int bound = LtxEncoder.LZ4.fastCompressor().maxCompressedLength(pageSize);
    final byte[] legacyBuf = new byte[bound];
    Lz4FrameCodec legacy;
    byte[] frames = new byte[0];
    long dbXor;
    final long[] snapXor = new long[inputs.size()];

    void run() {
      try {
        Chunk c;
        while ((c = take()) != null) {
          done(c, decode(c));
        }
        synchronized (ParallelMaterializer.this) {
          for (int i = 0; i < inputs.size(); i++) {
            inputs.get(i).snapXor ^= snapXor[i];
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(new InterruptedIOException("restore interrupted"));
      } catch (Throwable t) {
        fail(t);
      }
    }

    Part decode(Chunk c) throws IOException {
      int outHi = Math.min(c.hi - 1, commit);
      int outPages = Math.max(0, outHi - c.lo + 1);
      Arrays.fill(filled, false);
      long[] crc = new long[inputs.size()];
      long[] length = new long[inputs.size()];
      for (int i = 0; i < inputs.size(); i++) {
        int a = c.from[i];
        int b = c.to[i];
        if (a == b) {
          continue;
        }
        Src s = inputs.get(i);
        LtxPageIndex x = s.index;
        long start = x.offset(a);
        int n = Math.toIntExact(x.offset(b - 1) + x.frameSize(b - 1) - start);
        if (frames.length < n) {
          frames = new byte[n];
        }
        s.in.readFully(start, frames, 0, n);
        boolean pageCks = tracked || s.trackedSnapshot();
        long r = 0;
        long len = 0;
        int prev = a == 0 ? 0 : x.pgno(a - 1);
        for (int e = a; e < b; e++) {
          int p = (int) (x.offset(e) - start);
          int pgno = LtxDecoder.getIntBE(frames, p);
          String bad = LtxDecoder.pgnoProblem(s.header, pgno, prev);
          if (bad != null) {
            throw new LtxCorruptException(s.source, "page header at offset " + x.offset(e) + " pgno", bad,
                Integer.toUnsignedString(pgno));
          }
          if (pgno != x.pgno(e)) {
            throw new LtxCorruptException(s.source, "page index entry " + e + " pgno", Integer.toUnsignedString(pgno),
                Integer.toUnsignedString(x.pgno(e)));
          }
          boolean kept = pgno >= c.lo && pgno <= outHi;
          byte[] dst = kept ? pages : scratch;
          int off = kept ? (pgno - c.lo) * pageSize : 0;
          int head = frame(s, e, p, pgno, dst, off);
          r = Crc64Iso.updateState(r, frames, p, head);
          if (pageCks) {
            // One CRC pass gives both the file-stream part and the page checksum (spec §10).
            long c0 = Crc64Iso.updateState(0, dst, off, pageSize);
            r = Crc64Combine.apply(shiftPage, r) ^ c0;
            long ck = DatabaseChecksum.FLAG
                | ~(Crc64Combine.apply(shiftPage, Crc64Iso.updateIntBE(-1L, pgno)) ^ c0);
            if (s.trackedSnapshot()) {
              snapXor[i] ^= ck;
            }
            if (kept) {
              pageCk[pgno - c.lo] = ck;
            }
          } else {
            r = Crc64Iso.updateState(r, dst, off, pageSize);
          }
          if (kept) {
            filled[pgno - c.lo] = true;
          }
          len += head + pageSize;
          prev = pgno;
        }
        crc[i] = r;
        length[i] = len;
      }
      for (int k = 0; k < outPages; k++) {
        int pgno = c.lo + k;
        if (pgno == lock) {
          Arrays.fill(pages, k * pageSize, (k + 1) * pageSize, (byte) 0);
        } else if (!filled[k]) {
          throw LtxMaterializer.missing(what, pgno, commit, nextPresent(pgno));
        } else if (tracked) {
          dbXor ^= pageCk[k];
        }
      }
      if (outPages > 0) {
        // One writer at a time: concurrent writes to one file serialize on its inode lock in the
        // kernel anyway, and a waiter parked here costs no CPU while one spinning there does.
        writeLock.lock();
        try {
          out.write((long) (c.lo - 1) * pageSize, pages, 0, outPages * pageSize);
        } finally {
          writeLock.unlock();
        }
      }
      return new Part(crc, length);
    }

    /**
     * Decodes the frame of entry {@code e} at {@code frames[p..]} into {@code dst[off..]}; checks
     * that it spans exactly the index's frame size.
     *
     * @return bytes of the frame before the page data that the file checksum covers (6 or 10)
     */
    private int frame(Src s, int e, int p, int pgno, byte[] dst, int off) throws IOException {
      LtxPageIndex x = s.index;
      int size = x.frameSize(e);
      int flags = ((frames[p + 4] & 0xff) << 8) | (frames[p + 5] & 0xff);
      if (flags == PageEncoding.CURRENT.pageFlags()) {
        int n = size < 10 ? -1 : LtxDecoder.getIntBE(frames, p + 6);
        if (n <= 0 || n > bound) {
          throw new LtxCorruptException(s.source, page(pgno) + "size", "1.." + bound + " (LZ4 bound of page size)",
              n == -1 ? "a frame of " + size + " bytes" : Integer.toUnsignedString(n));
        }
        if (10 + n != size) {
          throw new LtxCorruptException(s.source, "page index entry " + e + " size", Integer.toString(10 + n),
              Integer.toString(size));
        }
        int got;
        try {
          got = decompressor.decompress(frames, p + 10, n, dst, off, pageSize);
        } catch (LZ4Exception ex) {
          throw new LtxCorruptException(s.source, page(pgno) + "data",
              "an LZ4 block of at most " + pageSize + " bytes (" + ex.getMessage() + ")", ex);
        }
        if (got != pageSize) {
          throw new LtxCorruptException(s.source, page(pgno) + "decompressed size", Integer.toString(pageSize),
              Integer.toString(got));
        }
        return 10;
      }
      if (flags == PageEncoding.LEGACY.pageFlags()) {
        if (legacy == null) {
          legacy = new Lz4FrameCodec(null, decompressor);
        }
        LtxInput in = new LtxInput(new ByteArrayInputStream(frames, p + 6, size - 6), s.source,
            Math.max(16, size - 6), x.offset(e) + 6);
        in.page(pgno);
        int got = legacy.read(in, dst, off, pageSize, legacyBuf);
        if (got != size - 6) {
          throw new LtxCorruptException(s.source, "page index entry " + e + " size", Integer.toString(6 + got),
              Integer.toString(size));
        }
        return 6;
      }
      throw new LtxCorruptException(s.source, page(pgno) + "flags", "0x0000 or 0x0001", String.format("0x%04x", flags));
    }
  }

  /** Field prefix for errors in one page's frame (built only on failure). */
  private static String page(int pgno) {
    return "page " + Integer.toUnsignedString(pgno) + " ";
  }

  /** The smallest pgno after {@code pgno} (up to commit) held by any input, or 0. */
  private int nextPresent(int pgno) {
    int best = 0;
    for (Src s : inputs) {
      int q = s.index.firstAbove(pgno);
      if (q != 0 && q <= commit && (best == 0 || q < best)) {
        best = q;
      }
    }
    return best;
  }
}
