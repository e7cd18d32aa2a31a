package dev.runnel.ltx;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a database file from LTX files that start at TXID 1 (a snapshot, optionally followed by
 * incrementals), merged as in {@link LtxCompactor} (spec §11 step 4, §13).
 *
 * <p>Writes pages 1..commit in order from position 0, zeros at the lock page, and truncates the
 * channel to {@code commit × pageSize}. Every input is verified completely. If all inputs track
 * database checksums, the result is also checked against the last post-apply checksum. Atomic
 * replacement (temp file + rename) is the caller's business.
 *
 * <p>Stateless and thread-safe; the decoders and channel are not.
 */
public final class LtxMaterializer {
  /**
   * The rebuilt database.
   *
   * @param header merged header (as the compactor would write it, flags as of the first input)
   * @param databaseChecksum rolling checksum of the written database (spec §10) when every input
   *     tracks database checksums (it is then verified against the last post-apply checksum); 0
   *     otherwise, because computing it costs a CRC pass over every page
   * @param size bytes written: {@code commit × pageSize}
   */
  public record Result(LtxHeader header, long databaseChecksum, long size) {}

  /** An input of {@link #materializeFiles}: a local file or a file held in memory. */
  public sealed interface Source permits FileInput, BytesInput {
    /** Name used in error messages (e.g. {@code L9/0000000000000001-00000000000000ff.ltx}). */
    String source();
  }

  /**
   * An LTX file on a local file system, read in place.
   *
   * @param path the file
   * @param source name used in error messages (e.g. {@code L9/0000000000000001-00000000000000ff.ltx})
   */
  public record FileInput(Path path, String source) implements Source {}

  /**
   * A whole LTX file in memory (a small download, so it needs no temp file). The array is not
   * copied: the caller must not change it while a materialization runs.
   *
   * @param data the file's bytes
   * @param source name used in error messages
   */
  public record BytesInput(byte[] data, String source) implements Source {
    public BytesInput {
      java.util.Objects.requireNonNull(data, "data");
      java.util.Objects.requireNonNull(source, "source");
    }
  }

  private static final int WRITE_BUFFER = 1 << 20;
  private static final System.Logger LOG = System.getLogger(LtxMaterializer.class.getName());

  private LtxMaterializer() {}

  /** Default decode threads for {@link #materializeFiles}: the number of CPUs, at most 4. */
  public static int defaultThreads() {
    return Math.min(4, Runtime.getRuntime().availableProcessors());
  }

  /**
   * As {@link #materialize(List, SeekableByteChannel)} for local files: chunks of consecutive
   * pages are decoded on up to {@code threads} threads through each file's page index and written
   * with positional writes of up to 256 KiB. Same output and the same checks: every input is verified
   * completely (file checksums are joined from per-chunk CRCs, spec §9) and checksum-tracked inputs
   * are checked against their post-apply checksums.
   *
   * <p>If the fast path rejects an input, the files are decoded once more by the streaming
   * decoder, so a rejection is reported exactly as by {@link LtxDecoder}. Memory: about 1 MiB per
   * thread plus 16 bytes per page frame for the page indexes, independent of the page data size.
   *
   * @param out written with positional writes (from several threads) and truncated to the size
   * @param threads decode threads, at least 1 (see {@link #defaultThreads()})
   * @throws LtxCorruptException if an input is corrupt, the first is not a snapshot or a page is
   *     missing
   */
  public static Result materializeFiles(List<? extends Source> inputs, FileChannel out, int threads)
      throws IOException {
    return materializeFiles(inputs, out, threads, 0);
  }

  static Result materializeFiles(List<? extends Source> inputs, FileChannel out, int threads, int chunkPages)
      throws IOException {
    List<FileChannel> channels = new ArrayList<>();
    try {
      List<ParallelMaterializer.Input> in = new ArrayList<>();
      for (Source src : inputs) {
        switch (src) {
          case FileInput f -> {
            FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ);
            channels.add(ch);
            in.add(new ChannelInput(ch, f.source()));
          }
          case BytesInput b -> in.add(new MemoryInput(b.data(), b.source()));
        }
      }
      try {
        return ParallelMaterializer.materialize(in, new ChannelOutput(out), threads, chunkPages);
      } catch (LtxCorruptException fast) {
        // The streaming decoder defines what is rejected and how it is reported; it reads the same
        // open files, so a replaced or deleted replica file cannot change the verdict.
        out.truncate(0);
        List<LtxDecoder> decoders = new ArrayList<>();
        for (ParallelMaterializer.Input i : in) {
          InputStream stream = i instanceof MemoryInput m ? new java.io.ByteArrayInputStream(m.data())
              : new BufferedInputStream(((ChannelInput) i).stream(), 64 * 1024);
          decoders.add(new LtxDecoder(stream, i.source()));
        }
        Result r = materialize(decoders, out);
        LOG.log(System.Logger.Level.WARNING, "parallel decode rejected what the streaming decoder accepts: {0}",
            fast.getMessage());
        return r;
      }
    } finally {
      for (FileChannel ch : channels) {
        ch.close();
      }
    }
  }

  /** A file read with positional reads (thread-safe on a {@link FileChannel}). */
  record ChannelInput(FileChannel ch, String source) implements ParallelMaterializer.Input {
    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(dst, off, len);
      while (b.hasRemaining()) {
        int n = ch.read(b, position + b.position() - off);
        if (n < 0) {
          throw new EOFException(source + ": file ended at offset " + (position + b.position() - off)
              + " while reading " + len + " bytes at " + position);
        }
      }
    }

    /** The whole file from offset 0, through positional reads (leaves the channel open). */
    InputStream stream() {
      return new InputStream() {
        private long pos;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = ch.read(ByteBuffer.wrap(b, off, len), pos);
          if (n > 0) {
            pos += n;
          }
          return n;
        }
      };
    }
  }

  /** A file in memory; reads are copies out of the array. */
  record MemoryInput(byte[] data, String source) implements ParallelMaterializer.Input {
    @Override
    public long size() {
      return data.length;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      if (position < 0 || position > data.length - (long) len) {
        throw new EOFException(source + ": file ended at offset " + data.length + " while reading " + len
            + " bytes at " + position);
      }
      System.arraycopy(data, (int) position, dst, off, len);
    }
  }

  private record ChannelOutput(FileChannel ch) implements ParallelMaterializer.Output {
    @Override
    public void write(long position, byte[] src, int off, int len) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(src, off, len);
      while (b.hasRemaining()) {
        ch.write(b, position + b.position() - off);
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      ch.truncate(size);
    }
  }

  /** As {@link #materialize(List, SeekableByteChannel, boolean)}, requiring contiguous inputs. */
  public static Result materialize(List<LtxDecoder> inputs, SeekableByteChannel out) throws IOException {
    return materialize(inputs, out, false);
  }

  /**
   * Writes the database described by {@code inputs} (sorted by TXID, nothing consumed yet).
   *
   * @throws LtxCorruptException if an input is corrupt, the first input is not a snapshot, or a page
   *     is missing
   */
  public static Result materialize(List<LtxDecoder> inputs, SeekableByteChannel out, boolean allowNonContiguous)
      throws IOException {
    LtxDecoder first = inputs.get(0);
    LtxDecoder last = inputs.get(inputs.size() - 1);
    String what = describe(first.source(), last.source());
    requireSnapshot(first.header(), first.source());
    PageMerger merger = new PageMerger(inputs, allowNonContiguous);
    int pageSize = first.header().pageSize();
    int lock = LtxHeader.lockPgno(pageSize);
    int commit = merger.commit();
    // The rolling checksum costs a CRC-64 pass over every page; only checksum-tracked inputs have a
    // post-apply value to compare it with.
    boolean tracked = inputs.stream().noneMatch(d -> d.header().noChecksum());
    DatabaseChecksum ck = tracked ? new DatabaseChecksum() : null;
    byte[] zeros = new byte[pageSize];
    // Pages go out in 1 MiB writes: one system call per page dominated restore time.
    ByteBuffer buf = ByteBuffer.allocate(Math.max(pageSize, WRITE_BUFFER / pageSize * pageSize));
    out.position(0);
    int expect = 1;
    int pgno;
    while ((pgno = merger.next()) != 0) {
      if (expect == lock && pgno != lock) {
        append(out, buf, zeros);
        expect++;
      }
      if (pgno != expect) {
        throw missing(what, expect, commit, pgno);
      }
      byte[] page = merger.page();
      if (ck != null) {
        ck.addPage(pgno, page, 0, pageSize);
      }
      append(out, buf, page);
      expect++;
    }
    if (expect == lock && commit >= lock) {
      append(out, buf, zeros);
      expect++;
    }
    writeFully(out, buf.flip());
    if (expect <= commit) {
      throw missing(what, expect, commit, 0);
    }
    long size = (long) commit * pageSize;
    out.truncate(size);
    if (tracked) {
      checkPostApply(last.source(), last.trailer().postApplyChecksum(), ck.value());
    }
    return new Result(mergedHeader(first.header(), last.header(), commit), ck == null ? 0 : ck.value(), size);
  }

  static String describe(String firstSource, String lastSource) {
    return "database from " + firstSource + " .. " + lastSource;
  }

  static void requireSnapshot(LtxHeader first, String source) throws LtxCorruptException {
    if (!first.isSnapshot()) {
      throw new LtxCorruptException(source, "min txid", "0000000000000001 (rebuild starts at a snapshot)",
          first.minTxId().toString());
    }
  }

  /** Page {@code pgno} of 1..commit is in no input; {@code next} is the next one present (0: none). */
  static LtxCorruptException missing(String what, int pgno, int commit, int next) {
    return new LtxCorruptException(what, "page " + pgno, "present (pages 1.." + commit + ")",
        next == 0 ? "missing" : "missing; next is " + next);
  }

  static void checkPostApply(String source, long stored, long computed) throws LtxCorruptException {
    if (stored != computed) {
      throw new LtxCorruptException(source, "post-apply checksum", LtxCorruptException.hex64(computed),
          LtxCorruptException.hex64(stored));
    }
  }

  static LtxHeader mergedHeader(LtxHeader f, LtxHeader l, int commit) {
    return new LtxHeader(f.flags(), f.pageSize(), commit, f.minTxId(), l.maxTxId(), l.timestamp(), 0, 0, 0, 0, 0, 0);
  }

  private static void append(SeekableByteChannel out, ByteBuffer buf, byte[] page) throws IOException {
    if (buf.remaining() < page.length) {
      writeFully(out, buf.flip());
      buf.clear();
    }
    buf.put(page);
  }

  private static void writeFully(SeekableByteChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }
}
