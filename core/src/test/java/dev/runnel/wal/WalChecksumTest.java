package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalChecksumTest {

  @Test
  void update_knownVector_matchesLitestream() {
    byte[] header = new byte[24];
    header[0] = 0x37;
    header[1] = 0x7F;
    header[2] = 0x06;
    header[3] = (byte) 0x83;
    header[7] = 1;
    long sum = WalChecksum.update(WalChecksum.ZERO, header, 0, 24, true);
    assertEquals(0x157B2092, WalChecksum.first(sum));
    assertEquals(0xBBF8341D, WalChecksum.second(sum));
  }

  @Test
  void update_splitInput_equalsWholeInput() {
    byte[] data = new byte[4096 + 8];
    new Random(7).nextBytes(data);
    for (boolean be : new boolean[] {true, false}) {
      long whole = WalChecksum.update(17L, data, 0, data.length, be);
      long split = WalChecksum.update(WalChecksum.update(17L, data, 0, 8, be), data, 8, 4096, be);
      assertEquals(whole, split);
    }
  }

  @Test
  void update_matchesReferenceLoop_bothByteOrders() {
    Random rnd = new Random(42);
    byte[] data = new byte[1024];
    rnd.nextBytes(data);
    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      ByteBuffer b = ByteBuffer.wrap(data).order(order);
      long s0 = 0;
      long s1 = 0;
      for (int i = 0; i < data.length; i += 8) {
        s0 = (s0 + (b.getInt(i) & 0xFFFFFFFFL) + s1) & 0xFFFFFFFFL;
        s1 = (s1 + (b.getInt(i + 4) & 0xFFFFFFFFL) + s0) & 0xFFFFFFFFL;
      }
      long sum = WalChecksum.update(0, b, 0, data.length);
      assertEquals((int) s0, WalChecksum.first(sum));
      assertEquals((int) s1, WalChecksum.second(sum));
    }
  }

  @Test
  void update_lengthNotMultipleOf8_throws() {
    assertThrows(
        IllegalArgumentException.class, () -> WalChecksum.update(0, new byte[12], 0, 12, false));
  }

  @Test
  void of_roundTripsBothWords() {
    long s = WalChecksum.of(0xE08B785B, 0x8E57DDA3);
    assertEquals(0xE08B785B, WalChecksum.first(s));
    assertEquals(0x8E57DDA3, WalChecksum.second(s));
  }
}
