package dev.runnel.ltx;

import java.io.IOException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Writes and reads the single LZ4 frame that the legacy page encoding (ltx ≤ v0.5.1) stores per
 * page. Writing mirrors pierrec/lz4 v4 defaults: FLG 0x64 (version 1, independent blocks, content
 * checksum), BD 0x40 (64 KiB blocks), one data block, stored raw when LZ4 does not shrink it.
 *
 * <p>Reading accepts any standard frame that decodes to exactly one page, but reads exactly one
 * frame and nothing after it. Not thread-safe (holds scratch buffers).
 */
final class Lz4FrameCodec {
  static final int MAGIC = 0x184D2204;
  static final int FLG = 0x64;
  static final int BD = 0x40;
  /** 7 descriptor bytes + block size + EndMark + content checksum. */
  static final int OVERHEAD = 7 + 4 + 4 + 4;
  private static final int RAW_BIT = 0x80000000;

  private static final XXHash32 XXH = XXHashFactory.fastestInstance().hash32();
  private static final int HEADER_CHECKSUM = (XXH.hash(new byte[] {(byte) FLG, (byte) BD}, 0, 2, 0) >>> 8) & 0xff;

  private final LZ4Compressor compressor;
  private final LZ4SafeDecompressor decompressor;
  private final byte[] scratch = new byte[15];

  Lz4FrameCodec(LZ4Compressor compressor, LZ4SafeDecompressor decompressor) {
    this.compressor = compressor;
    this.decompressor = decompressor;
  }

  /** Bytes {@link #write} may need at {@code out[outOff..]}. */
  static int maxFrameLength(LZ4Compressor c, int pageSize) {
    return OVERHEAD + c.maxCompressedLength(pageSize);
  }

  /** Writes one frame holding {@code page[off..off+len)}; returns its length. */
  int write(byte[] page, int off, int len, byte[] out, int outOff) {
    putIntLE(out, outOff, MAGIC);
    out[outOff + 4] = (byte) FLG;
    out[outOff + 5] = (byte) BD;
    out[outOff + 6] = (byte) HEADER_CHECKSUM;
    int data = outOff + 11;
    int n = compressor.compress(page, off, len, out, data, out.length - data);
    int blockWord;
    if (n >= len) {
      // Incompressible: pierrec stores the block raw (high bit of the size word set).
      System.arraycopy(page, off, out, data, len);
      n = len;
      blockWord = RAW_BIT | len;
    } else {
      blockWord = n;
    }
    putIntLE(out, outOff + 7, blockWord);
    int p = data + n;
    putIntLE(out, p, 0);
    putIntLE(out, p + 4, XXH.hash(page, off, len, 0));
    return p + 8 - outOff;
  }

  /**
   * Reads exactly one frame from {@code in} and decodes it into {@code dst[dstOff..+pageSize)}.
   *
   * @param cbuf scratch of at least {@code maxCompressedLength(pageSize)} bytes
   * @return the frame length in bytes
   */
  int read(LtxInput in, byte[] dst, int dstOff, int pageSize, byte[] cbuf) throws IOException {
    final String what = "lz4 frame";
    String src = in.source();
    long start = in.offset();
    int magic = in.readIntLE(what + " magic");
    if (magic != MAGIC) {
      throw new LtxCorruptException(src, in.field(what + " magic"), "0x184d2204", String.format("0x%08x", magic));
    }
    int flg = in.readU8(what + " descriptor");
    int bd = in.readU8(what + " descriptor");
    scratch[0] = (byte) flg;
    scratch[1] = (byte) bd;
    if ((flg >>> 6) != 1) {
      throw new LtxCorruptException(src, in.field(what + " version"), "1", Integer.toString(flg >>> 6));
    }
    if ((flg & 0x03) != 0) {
      throw new LtxCorruptException(src, in.field(what + " FLG"), "reserved and dictionary bits clear", String.format("0x%02x", flg));
    }
    int blockMaxId = (bd >>> 4) & 7;
    if ((bd & 0x8f) != 0 || blockMaxId < 4) {
      throw new LtxCorruptException(src, in.field(what + " BD"), "block size id 4..7, reserved bits clear", String.format("0x%02x", bd));
    }
    int maxBlock = 1 << (8 + 2 * blockMaxId);
    boolean blockChecksums = (flg & 0x10) != 0;
    boolean hasContentSize = (flg & 0x08) != 0;
    boolean contentChecksum = (flg & 0x04) != 0;
    int descLen = 2;
    if (hasContentSize) {
      in.readFully(scratch, 2, 8, what + " content size");
      descLen = 10;
    }
    int hc = in.readU8(what + " header checksum");
    int expectHc = (XXH.hash(scratch, 0, descLen, 0) >>> 8) & 0xff;
    if (hc != expectHc) {
      throw new LtxCorruptException(src, in.field(what + " header checksum"), String.format("0x%02x", expectHc), String.format("0x%02x", hc));
    }
    if (hasContentSize) {
      long size = getLongLE(scratch, 2);
      if (size != pageSize) {
        throw new LtxCorruptException(src, in.field(what + " content size"), Integer.toString(pageSize), Long.toUnsignedString(size));
      }
    }
    int produced = 0;
    while (true) {
      int word = in.readIntLE(what + " block size");
      if (word == 0) {
        break;
      }
      boolean raw = (word & RAW_BIT) != 0;
      int n = word & ~RAW_BIT;
      int limit = raw ? pageSize - produced : Math.min(cbuf.length, maxBlock);
      if (n == 0 || n > maxBlock || n > limit) {
        throw new LtxCorruptException(src, in.field(what + " block size"),
            "1.." + Math.min(maxBlock, limit) + (raw ? " (stored block)" : ""), Integer.toString(n));
      }
      if (raw) {
        in.readFully(dst, dstOff + produced, n, what + " block");
        if (blockChecksums) {
          checkBlock(in, dst, dstOff + produced, n, what);
        }
        produced += n;
        continue;
      }
      in.readFully(cbuf, 0, n, what + " block");
      if (blockChecksums) {
        checkBlock(in, cbuf, 0, n, what);
      }
      int got;
      try {
        got = decompressor.decompress(cbuf, 0, n, dst, dstOff + produced, pageSize - produced);
      } catch (LZ4Exception e) {
        throw new LtxCorruptException(src, in.field(what + " block"), "LZ4 data that decodes to at most "
            + (pageSize - produced) + " bytes (" + e.getMessage() + ")", e);
      }
      if (got <= 0) {
        // Zero-output blocks would let a stream loop without progress.
        throw new LtxCorruptException(src, in.field(what + " block"), "non-empty output", "0 bytes");
      }
      produced += got;
    }
    if (produced != pageSize) {
      throw new LtxCorruptException(src, in.field(what + " decompressed size"), Integer.toString(pageSize), Integer.toString(produced));
    }
    if (contentChecksum) {
      int stored = in.readIntLE(what + " content checksum");
      int actual = XXH.hash(dst, dstOff, pageSize, 0);
      if (stored != actual) {
        throw new LtxCorruptException(src, in.field(what + " content checksum"), String.format("0x%08x", actual), String.format("0x%08x", stored));
      }
    }
    return (int) (in.offset() - start);
  }

  private void checkBlock(LtxInput in, byte[] b, int off, int n, String what) throws IOException {
    int stored = in.readIntLE(what + " block checksum");
    int actual = XXH.hash(b, off, n, 0);
    if (stored != actual) {
      throw new LtxCorruptException(in.source(), in.field(what + " block checksum"), String.format("0x%08x", actual), String.format("0x%08x", stored));
    }
  }

  static void putIntLE(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  private static long getLongLE(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
