package dev.runnel.ltx;

import java.util.Arrays;
import java.util.Optional;

/**
 * The page index of an LTX file (spec §7), parsed from the file tail: entries, a 0 terminator and
 * the u64 index length at {@code size − 24}, then the 16-byte trailer. Immutable and thread-safe.
 *
 * <p>The index is not covered by anything that can be checked without reading the whole file
 * (the file checksum needs every decompressed page), so {@link #parse} checks structure only:
 * ascending pgnos, frames inside the page block and not overlapping, exact length.
 */
public final class LtxPageIndex {
  /**
   * One index entry.
   *
   * @param pgno page number
   * @param offset absolute offset of the frame's page header
   * @param size frame size in bytes
   */
  public record Entry(int pgno, long offset, int size) {}

  private final int[] pgnos;
  private final long[] offsets;
  private final int[] sizes;
  private final long indexOffset;
  private final LtxTrailer trailer;

  private LtxPageIndex(int[] pgnos, long[] offsets, int[] sizes, long indexOffset, LtxTrailer trailer) {
    this.pgnos = pgnos;
    this.offsets = offsets;
    this.sizes = sizes;
    this.indexOffset = indexOffset;
    this.trailer = trailer;
  }

  /** Bytes of the tail needed for an index of {@code indexLength}: index + length + trailer. */
  static long tailLength(long indexLength) {
    return indexLength + 8 + LtxTrailer.SIZE;
  }

  /** Reads the u64 index length from a tail of at least 24 bytes ending at the file end. */
  static long indexLength(byte[] tail, int tailLen, String source) throws LtxCorruptException {
    if (tailLen < 8 + LtxTrailer.SIZE) {
      throw new LtxCorruptException(source, "file size", "at least " + (LtxHeader.SIZE + 6 + 1 + 8 + LtxTrailer.SIZE) + " bytes", tailLen + " bytes in tail");
    }
    return LtxDecoder.getLongBE(tail, tailLen - 24);
  }

  /**
   * Parses the index from the last {@code tailLen} bytes of a file of {@code fileSize} bytes.
   *
   * @throws LtxCorruptException if the tail is too short for the stored index length or the index
   *     is malformed
   */
  public static LtxPageIndex parse(byte[] tail, int tailLen, long fileSize, int pageSize, String source)
      throws LtxCorruptException {
    long indexLen = indexLength(tail, tailLen, source);
    long minFile = LtxHeader.SIZE + 6 + tailLength(1);
    if (indexLen < 1 || indexLen > fileSize - minFile + 1) {
      throw new LtxCorruptException(source, "page index length", "1.." + Math.max(1, fileSize - minFile + 1), Long.toUnsignedString(indexLen));
    }
    if (tailLength(indexLen) > tailLen) {
      throw new LtxCorruptException(source, "page index", tailLength(indexLen) + " tail bytes", tailLen + " bytes");
    }
    int start = (int) (tailLen - tailLength(indexLen));
    int end = (int) (start + indexLen);
    long indexOffset = fileSize - tailLength(indexLen);
    long endMarker = indexOffset - 6;
    int max = (int) Math.min(Integer.MAX_VALUE - 8, indexLen / 3 + 1);
    int[] pg = new int[Math.min(max, 1024)];
    long[] off = new long[pg.length];
    int[] sz = new int[pg.length];
    int n = 0;
    int p = start;
    long[] v = new long[1];
    long nextFree = LtxHeader.SIZE;
    long maxFrame = 10L + LtxEncoder.LZ4.fastCompressor().maxCompressedLength(pageSize) + Lz4FrameCodec.OVERHEAD;
    while (true) {
      p = uvarint(tail, p, end, v, source, "page index pgno");
      if (v[0] == 0) {
        break;
      }
      long pgno = v[0];
      p = uvarint(tail, p, end, v, source, "page index offset");
      long offset = v[0];
      p = uvarint(tail, p, end, v, source, "page index size");
      long size = v[0];
      String what = "page index entry " + n;
      if (pgno > Integer.MAX_VALUE || (n > 0 && pgno <= pg[n - 1])) {
        throw new LtxCorruptException(source, what + " pgno", "ascending, at most 2147483647", Long.toUnsignedString(pgno));
      }
      if (offset < nextFree || offset > endMarker) {
        throw new LtxCorruptException(source, what + " offset", nextFree + ".." + endMarker, Long.toUnsignedString(offset));
      }
      if (size < 7 || size > maxFrame || offset + size > endMarker) {
        throw new LtxCorruptException(source, what + " size", "7.." + Math.min(maxFrame, endMarker - offset), Long.toUnsignedString(size));
      }
      if (n == pg.length) {
        pg = Arrays.copyOf(pg, n * 2);
        off = Arrays.copyOf(off, n * 2);
        sz = Arrays.copyOf(sz, n * 2);
      }
      pg[n] = (int) pgno;
      off[n] = offset;
      sz[n] = (int) size;
      nextFree = offset + size;
      n++;
    }
    if (p != end) {
      throw new LtxCorruptException(source, "page index length", Integer.toString(p - start), Long.toString(indexLen));
    }
    LtxTrailer trailer = new LtxTrailer(LtxDecoder.getLongBE(tail, tailLen - 16), LtxDecoder.getLongBE(tail, tailLen - 8));
    return new LtxPageIndex(Arrays.copyOf(pg, n), Arrays.copyOf(off, n), Arrays.copyOf(sz, n), indexOffset, trailer);
  }

  private static int uvarint(byte[] b, int p, int end, long[] out, String source, String what) throws LtxCorruptException {
    long x = 0;
    for (int shift = 0, i = 0; ; shift += 7, i++) {
      if (p >= end) {
        throw new LtxCorruptException(source, what, "a varint inside the index", "the index ends");
      }
      int c = b[p++] & 0xff;
      if (i == 9 && c > 1) {
        throw new LtxCorruptException(source, what, "a varint below 2^64", "an overflowing varint");
      }
      x |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        out[0] = x;
        return p;
      }
    }
  }

  /** Number of entries. */
  public int size() {
    return pgnos.length;
  }

  int pgno(int i) {
    return pgnos[i];
  }

  long offset(int i) {
    return offsets[i];
  }

  int frameSize(int i) {
    return sizes[i];
  }

  /** The smallest pgno in the index greater than {@code pgno}, or 0 if there is none. */
  int firstAbove(int pgno) {
    int i = Arrays.binarySearch(pgnos, pgno);
    i = i >= 0 ? i + 1 : -i - 1;
    return i < pgnos.length ? pgnos[i] : 0;
  }

  /** Entry {@code i} in pgno order. */
  public Entry entry(int i) {
    return new Entry(pgnos[i], offsets[i], sizes[i]);
  }

  /** The entry for {@code pgno}, if the file holds that page. */
  public Optional<Entry> find(int pgno) {
    int i = Arrays.binarySearch(pgnos, pgno);
    return i < 0 ? Optional.empty() : Optional.of(entry(i));
  }

  /** Absolute offset of the index (right after the end marker). */
  public long indexOffset() {
    return indexOffset;
  }

  /** The trailer as stored (not verified: that needs the whole file). */
  public LtxTrailer trailer() {
    return trailer;
  }
}
