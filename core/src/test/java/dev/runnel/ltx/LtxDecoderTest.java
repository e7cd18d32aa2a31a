package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import org.junit.jupiter.api.Test;

/** Hand-crafted bad inputs. The golden-file mutations live in {@link LtxMutationTest}. */
class LtxDecoderTest {
  private static final String SRC = "0000000000000002-0000000000000002.ltx";

  /** A CURRENT-encoded file with one page frame whose payload is {@code block} (size field = its length). */
  private static byte[] fileWithBlock(byte[] block, int sizeField) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxHeader h = LtxHeader.of(4096, 1, TxId.of(2), TxId.of(2), 0);
    out.write(h.toBytes());
    byte[] ph = new byte[10];
    LtxEncoder.putIntBE(ph, 0, 1);
    ph[5] = 1;
    LtxEncoder.putIntBE(ph, 6, sizeField);
    out.write(ph);
    out.write(block);
    out.write(new byte[6]);
    out.write(new byte[16]); // junk index/trailer: must not be reached
    return out.toByteArray();
  }

  private static LtxCorruptException decodeFails(byte[] file) {
    LtxCorruptException e = assertThrows(LtxCorruptException.class,
        () -> LtxDecoder.verify(new ByteArrayInputStream(file), SRC));
    assertTrue(e.getMessage().startsWith(SRC + ": "), e.getMessage());
    return e;
  }

  @Test
  void nextPage_blockDecompressesShort_rejected() throws IOException {
    LZ4Compressor c = LtxEncoder.LZ4.fastCompressor();
    byte[] small = c.compress(new byte[4000]);
    LtxCorruptException e = decodeFails(fileWithBlock(small, small.length));
    assertEquals("page 1 decompressed size", e.field());
    assertEquals("4096", e.expected());
    assertEquals("4000", e.actual());
  }

  @Test
  void nextPage_blockDecompressesLong_rejected() throws IOException {
    byte[] big = LtxEncoder.LZ4.fastCompressor().compress(new byte[5000]);
    decodeFails(fileWithBlock(big, big.length));
  }

  @Test
  void nextPage_hugeSizeField_rejectedWithoutAllocation() throws IOException {
    // An endless stream: if the decoder trusted the size it would allocate 2 GiB or read forever.
    byte[] head = fileWithBlock(new byte[0], Integer.MAX_VALUE);
    InputStream endless = new java.io.SequenceInputStream(new ByteArrayInputStream(head), new InputStream() {
      @Override
      public int read() {
        return 0;
      }
    });
    LtxCorruptException e = assertThrows(LtxCorruptException.class, () -> LtxDecoder.verify(endless, SRC));
    assertEquals("page 1 size", e.field());
  }

  @Test
  void nextPage_truncatedPayload_namesWhatWasRead() throws IOException {
    byte[] block = LtxEncoder.LZ4.fastCompressor().compress(new byte[4096]);
    byte[] f = Arrays.copyOf(fileWithBlock(block, block.length), LtxHeader.SIZE + 10 + block.length - 1);
    LtxCorruptException e = decodeFails(f);
    assertEquals("page 1 data", e.field());
    assertTrue(e.getMessage().contains("unexpected end of file"), e.getMessage());
  }

  private static byte[] validFile() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder e = new LtxEncoder(out, LtxHeader.of(4096, 9, TxId.of(2), TxId.of(2), 0));
    byte[] p = new byte[4096];
    Arrays.fill(p, (byte) 3);
    e.encodePage(2, p);
    e.encodePage(7, p);
    e.finish();
    return out.toByteArray();
  }

  @Test
  void trailer_indexDisagreesWithFrames_rejected() throws IOException {
    byte[] f = validFile();
    // The index starts right after the end marker; its first entry is (2, 100, size). Make it pgno 3.
    long indexLen = LtxDecoder.getLongBE(f, f.length - 24);
    int idx = (int) (f.length - 24 - indexLen);
    assertEquals(2, f[idx]);
    f[idx] = 3;
    LtxCorruptException e = decodeFails(f);
    assertEquals("page index entry 0 pgno", e.field());
    f[idx] = 2;
    f[idx + 1] = 101;
    assertEquals("page index entry 0 offset", decodeFails(f).field());
  }

  @Test
  void trailer_trailingGarbage_rejected() throws IOException {
    byte[] f = validFile();
    byte[] g = Arrays.copyOf(f, f.length + 1);
    assertEquals("trailing data", decodeFails(g).field());
    byte[] h = Arrays.copyOf(f, f.length + 100000);
    assertEquals("trailing data", decodeFails(h).field());
  }

  @Test
  void trailer_badFileChecksum_namesExpectedAndActual() throws IOException {
    byte[] f = validFile();
    f[f.length - 1] ^= 1;
    LtxCorruptException e = decodeFails(f);
    assertEquals("file checksum", e.field());
    assertTrue(e.getMessage().matches(SRC + ": file checksum: expected 0x[0-9a-f]{16}, got 0x[0-9a-f]{16}"), e.getMessage());
  }

  @Test
  void trailer_beforeEnd_throwsIllegalState() throws IOException {
    LtxDecoder d = new LtxDecoder(new ByteArrayInputStream(validFile()), SRC);
    assertThrows(IllegalStateException.class, d::trailer);
    assertEquals(2, d.nextPage(new byte[4096]));
    assertThrows(IllegalStateException.class, d::trailer);
  }

  @Test
  void constructor_badMagicOrShortHeader_rejected() {
    byte[] f = new byte[100];
    assertEquals("magic", decodeFails(f).field());
    assertEquals("header", decodeFails(new byte[50]).field());
  }

  @Test
  void nextPage_legacyFrameBadHeaderChecksum_rejected() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder e = new LtxEncoder(out, LtxHeader.of(4096, 9, TxId.of(2), TxId.of(2), 0),
        LtxEncoder.Options.DEFAULT.withEncoding(PageEncoding.LEGACY));
    e.encodePage(2, new byte[4096]);
    e.finish();
    byte[] f = out.toByteArray();
    assertEquals((byte) 0xA7, f[LtxHeader.SIZE + 6 + 6], "pierrec-compatible header checksum");
    f[LtxHeader.SIZE + 6 + 6] ^= 1;
    assertEquals("page 2 lz4 frame header checksum", decodeFails(f).field());
  }
}
