package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64IsoTest {
  /** Bit-at-a-time reference straight from the parameters in spec §9. */
  private static long reference(byte[] b, int off, int len) {
    long crc = -1L;
    for (int i = off; i < off + len; i++) {
      crc ^= b[i] & 0xff;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xD800000000000000L : crc >>> 1;
      }
    }
    return ~crc;
  }

  @Test
  void compute_checkString_matchesCatalogue() {
    assertEquals(0xB90956C775A41001L, Crc64Iso.compute("123456789".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(0L, Crc64Iso.compute(new byte[0]));
  }

  @Test
  void compute_allLengthsAndOffsets_matchReference() {
    Random r = new Random(42);
    byte[] b = new byte[70000];
    r.nextBytes(b);
    int[] lens = {0, 1, 7, 8, 9, 15, 16, 31, 33, 511, 512, 1023, 1024, 1025, 1031, 1032, 1057, 4095, 4096, 4097, 65536, 65541};
    for (int len : lens) {
      for (int off : new int[] {0, 1, 3, 8}) {
        assertEquals(reference(b, off, len), Crc64Iso.compute(b, off, len), "len " + len + " off " + off);
      }
    }
    for (int i = 0; i < 200; i++) {
      int len = r.nextInt(9000);
      int off = r.nextInt(100);
      assertEquals(reference(b, off, len), Crc64Iso.compute(b, off, len), "len " + len + " off " + off);
    }
  }

  @Test
  void update_streamingSplits_equalOneShot() {
    Random r = new Random(7);
    byte[] b = new byte[10000];
    r.nextBytes(b);
    long want = Crc64Iso.compute(b);
    for (int i = 0; i < 50; i++) {
      Crc64Iso c = new Crc64Iso();
      int pos = 0;
      while (pos < b.length) {
        int n = Math.min(b.length - pos, r.nextInt(3000));
        switch (r.nextInt(4)) {
          case 0 -> c.update(b, pos, n);
          case 1 -> c.update(ByteBuffer.wrap(b, pos, n));
          case 2 -> c.update(ByteBuffer.allocateDirect(n).put(b, pos, n).flip());
          default -> {
            for (int k = 0; k < n; k++) {
              c.update(b[pos + k]);
            }
          }
        }
        pos += n;
      }
      assertEquals(want, c.value());
    }
    Crc64Iso c = new Crc64Iso().update(b);
    c.reset();
    assertEquals(0L, c.value());
  }
}
