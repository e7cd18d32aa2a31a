package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Joining CRC-64 parts computed separately, as the parallel materializer does per chunk and page. */
class Crc64CombineTest {
  @Test
  void shiftOnce_randomSplits_equalOnePassCrc() {
    Random r = new Random(2718);
    byte[] data = new byte[300_000];
    r.nextBytes(data);
    for (int round = 0; round < 200; round++) {
      int len = r.nextInt(data.length + 1);
      int parts = 1 + r.nextInt(12);
      int[] cuts = new int[parts + 1];
      for (int k = 1; k < parts; k++) {
        cuts[k] = r.nextInt(len + 1);
      }
      cuts[parts] = len;
      Arrays.sort(cuts);
      // Part 0 continues the initial register; the others start from 0 and are shifted into place.
      long s = -1L;
      for (int k = 0; k < parts; k++) {
        int n = cuts[k + 1] - cuts[k];
        s = Crc64Combine.shiftOnce(s, n) ^ Crc64Iso.updateState(0, data, cuts[k], n);
      }
      assertEquals(Crc64Iso.compute(data, 0, len), ~s, "round " + round + " cuts " + Arrays.toString(cuts));
    }
  }

  @Test
  void shiftOnce_anyLength_equalsCachedShiftAndComposes() {
    Random r = new Random(5);
    for (int i = 0; i < 100; i++) {
      long s = r.nextLong();
      int n = r.nextInt(Integer.MAX_VALUE);
      assertEquals(Crc64Combine.shift(s, n), Crc64Combine.shiftOnce(s, n), "n " + n);
      // Lengths past 2 GiB (multi-GiB ranges): shifting by a + b is shifting by a, then by b.
      long a = r.nextLong() >>> 2;
      long b = r.nextLong() >>> 2;
      assertEquals(Crc64Combine.shiftOnce(Crc64Combine.shiftOnce(s, a), b), Crc64Combine.shiftOnce(s, a + b));
    }
  }

  @Test
  void pageChecksum_derivedFromZeroRegisterPass_equalsDirect() {
    Random r = new Random(9);
    for (int pageSize = 512; pageSize <= 65536; pageSize *= 2) {
      byte[] page = new byte[pageSize];
      r.nextBytes(page);
      int pgno = 1 + r.nextInt(Integer.MAX_VALUE);
      long[] op = Crc64Combine.operator(pageSize);
      long c0 = Crc64Iso.updateState(0, page, 0, pageSize);
      long derived = DatabaseChecksum.FLAG | ~(Crc64Combine.apply(op, Crc64Iso.updateIntBE(-1L, pgno)) ^ c0);
      assertEquals(DatabaseChecksum.pageChecksum(pgno, page, 0, pageSize), derived, "page size " + pageSize);
    }
  }
}
