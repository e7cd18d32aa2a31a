package dev.runnel.ltx;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Random access to single pages of a stored LTX file through ranged reads, like Litestream's VFS:
 * one read for the header, one for the last 32 KiB (the index; a second read if the index is
 * larger), then one per page frame.
 *
 * <p><b>Verification is partial:</b> the file checksum covers every decompressed page, so it cannot
 * be checked when reading one page. Each fetched frame is checked structurally (pgno and encoding
 * in its page header, size field, exactly {@code pageSize} decompressed bytes, and for legacy
 * frames the LZ4 header and content checksums), but a current-encoding frame whose compressed
 * bytes were altered into other valid LZ4 data would go unnoticed. Use {@link LtxDecoder} for
 * full verification.
 *
 * <p>Not thread-safe (scratch buffers).
 */
public final class LtxPageReader {
  /** Bytes fetched from the end of the file in the first index read (Litestream's default). */
  public static final int ESTIMATED_INDEX_READ = 32 * 1024;

  private final RangeReader reader;
  private final String source;
  private final LtxHeader header;
  private final LtxPageIndex index;
  private final long size;
  private final byte[] cbuf;
  private final Lz4FrameCodec frameCodec;

  /**
   * Reads the header and page index.
   *
   * @throws LtxCorruptException if either is invalid
   */
  public LtxPageReader(RangeReader reader, String source) throws IOException {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.source = source;
    this.size = reader.size();
    if (size < LtxHeader.SIZE + 6 + 1 + 8 + LtxTrailer.SIZE) {
      throw new LtxCorruptException(source, "file size", "at least " + (LtxHeader.SIZE + 31) + " bytes", size + " bytes");
    }
    this.header = LtxHeader.parse(fetch(0, LtxHeader.SIZE, "header"), source);
    int want = (int) Math.min(size - LtxHeader.SIZE, ESTIMATED_INDEX_READ);
    byte[] tail = fetch(size - want, want, "page index");
    long indexLen = LtxPageIndex.indexLength(tail, want, source);
    long need = LtxPageIndex.tailLength(indexLen);
    if (Long.compareUnsigned(need, want) > 0) {
      if (indexLen < 0 || need > size - LtxHeader.SIZE - 6) {
        throw new LtxCorruptException(source, "page index length", "at most " + (size - LtxHeader.SIZE - 6 - 24), Long.toUnsignedString(indexLen));
      }
      tail = fetch(size - need, (int) need, "page index");
      want = (int) need;
    }
    this.index = LtxPageIndex.parse(tail, want, size, header.pageSize(), source);
    this.cbuf = new byte[LtxEncoder.LZ4.fastCompressor().maxCompressedLength(header.pageSize())];
    this.frameCodec = new Lz4FrameCodec(null, LtxEncoder.LZ4.safeDecompressor());
  }

  public LtxHeader header() {
    return header;
  }

  public LtxPageIndex index() {
    return index;
  }

  /**
   * Fetches and decodes page {@code pgno} into {@code dst[0..pageSize)}.
   *
   * @return false if the file does not contain the page
   * @throws LtxCorruptException if the frame is invalid
   */
  public boolean readPage(int pgno, byte[] dst) throws IOException {
    Optional<LtxPageIndex.Entry> e = index.find(pgno);
    if (e.isEmpty()) {
      return false;
    }
    LtxPageIndex.Entry entry = e.get();
    String what = "page " + pgno + " frame at offset " + entry.offset();
    byte[] frame = fetch(entry.offset(), entry.size(), what);
    // Decode through the same streaming path as LtxDecoder so both encodings share the checks.
    LtxInput in = new LtxInput(new ByteArrayInputStream(frame), source, Math.max(frame.length, 16));
    in.page(pgno);
    byte[] ph = new byte[6];
    in.readFully(ph, 0, 6, what + " page header");
    int stored = LtxDecoder.getIntBE(ph, 0);
    if (stored != pgno) {
      throw new LtxCorruptException(source, what + " pgno", Integer.toString(pgno), Integer.toUnsignedString(stored));
    }
    int flags = ((ph[4] & 0xff) << 8) | (ph[5] & 0xff);
    int pageSize = header.pageSize();
    if (flags == PageEncoding.CURRENT.pageFlags()) {
      int n = in.readIntBE(what + " size");
      if (n <= 0 || n != frame.length - 10) {
        throw new LtxCorruptException(source, what + " size", Integer.toString(frame.length - 10), Integer.toUnsignedString(n));
      }
      int got;
      try {
        got = LtxEncoder.LZ4.safeDecompressor().decompress(frame, 10, n, dst, 0, pageSize);
      } catch (net.jpountz.lz4.LZ4Exception ex) {
        throw new LtxCorruptException(source, what + " data", "an LZ4 block of at most " + pageSize + " bytes", ex);
      }
      if (got != pageSize) {
        throw new LtxCorruptException(source, what + " decompressed size", Integer.toString(pageSize), Integer.toString(got));
      }
    } else if (flags == PageEncoding.LEGACY.pageFlags()) {
      int len = frameCodec.read(in, dst, 0, pageSize, cbuf);
      if (len != frame.length - 6) {
        throw new LtxCorruptException(source, what + " size", Integer.toString(6 + len), Integer.toString(frame.length));
      }
    } else {
      throw new LtxCorruptException(source, what + " flags", "0x0000 or 0x0001", String.format("0x%04x", flags));
    }
    return true;
  }

  private byte[] fetch(long offset, int length, String what) throws IOException {
    byte[] b = new byte[length];
    try (InputStream in = reader.open(offset, length)) {
      int n = in.readNBytes(b, 0, length);
      if (n != length) {
        throw new LtxCorruptException(source, what, "unexpected end of data at offset " + (offset + n)
            + " (read " + n + " of " + length + " bytes)");
      }
    }
    return b;
  }
}
