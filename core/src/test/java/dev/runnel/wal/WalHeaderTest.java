package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalHeaderTest {
  @TempDir Path tmp;

  @Test
  void read_okFixture_decodesAllFields() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      WalHeader h = WalHeader.read(ch).orElseThrow();
      assertEquals(WalHeader.MAGIC_LE, h.magic());
      assertFalse(h.bigEndianChecksums());
      assertEquals(3007000, h.formatVersion());
      assertEquals(4096, h.pageSize());
      assertEquals(0, h.checkpointSeq());
      assertEquals(0x4875a40b, h.salt1());
      assertEquals(0xa38de4f5, h.salt2());
      assertEquals(0xE08B785B, h.checksum1());
      assertEquals(0x8E57DDA3, h.checksum2());
      assertEquals(0, ch.position(), "positional reads only");
    }
  }

  @Test
  void toBytes_okFixture_equalsFileHeader() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    WalHeader h = WalHeader.parse(file).orElseThrow();
    assertArrayEquals(Arrays.copyOf(file, 32), h.toBytes());
  }

  @Test
  void read_frameSaltsFixture_hasSequence2() throws IOException {
    WalHeader h = WalHeader.parse(WalFixtures.bytes(WalFixtures.walCase("frame-salts"))).orElseThrow();
    assertEquals(2, h.checkpointSeq());
    assertEquals(0x1b9a294b, h.salt1());
    assertEquals(0x37f91916, h.salt2());
  }

  @Test
  void read_truncatedHeader_empty() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    for (int len : new int[] {0, 1, 24, 31}) {
      Path p = WalFixtures.temp(tmp, "short" + len, Arrays.copyOf(file, len));
      try (FileChannel ch = WalFixtures.open(p)) {
        assertEquals(Optional.empty(), WalHeader.read(ch), "length " + len);
      }
    }
  }

  @Test
  void read_badMagic_empty() throws IOException {
    assertEmptyAfter(0, b -> b[3] = (byte) 0x84);
  }

  @Test
  void read_badVersion_empty() throws IOException {
    assertEmptyAfter(1, b -> b[7] ^= 1);
  }

  @Test
  void read_badHeaderChecksum_empty() throws IOException {
    assertEmptyAfter(2, b -> b[31] ^= 1);
    assertEmptyAfter(3, b -> b[13] ^= 1); // checkpoint seq: covered by the checksum
  }

  @Test
  void parse_invalidPageSize_empty() {
    for (int size : new int[] {0, 256, 1000, 131072}) {
      WalHeader h = new WalHeader(WalHeader.MAGIC_BE, 3007000, size, 0, 1, 2, 0, 0);
      byte[] b = withChecksum(h.toBytes());
      assertEquals(Optional.empty(), WalHeader.parse(b), "page size " + size);
    }
    WalHeader ok = new WalHeader(WalHeader.MAGIC_BE, 3007000, 65536, 0, 1, 2, 0, 0);
    assertTrue(WalHeader.parse(withChecksum(ok.toBytes())).isPresent());
  }

  @Test
  void frameOffset_andWalSize_followFrameLayout() {
    assertEquals(32, WalHeader.frameOffset(4096, 0));
    assertEquals(4152, WalHeader.frameOffset(4096, 1));
    assertEquals(8272, WalHeader.frameOffset(4096, 2));
    assertEquals(12392, WalHeader.walSize(4096, 3));
    assertEquals(32 + 121359L * (65536 + 24), WalHeader.walSize(65536, 121359));
  }

  private static byte[] withChecksum(byte[] b) {
    boolean be = (b[3] & 1) != 0;
    long sum = WalChecksum.update(0, b, 0, 24, be);
    java.nio.ByteBuffer.wrap(b).putInt(24, WalChecksum.first(sum)).putInt(28, WalChecksum.second(sum));
    return b;
  }

  private void assertEmptyAfter(int id, java.util.function.Consumer<byte[]> corrupt)
      throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    corrupt.accept(file);
    Path p = WalFixtures.temp(tmp, "bad" + id, file);
    try (FileChannel ch = WalFixtures.open(p)) {
      assertEquals(Optional.empty(), WalHeader.read(ch));
    }
  }
}
