package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalSaltsTest {
  @TempDir Path tmp;

  @Test
  void generations_frameSaltsFixture_findsThreeInOrder() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("frame-salts"))) {
      assertEquals(
          List.of(
              new WalSalts(0x1b9a294b, 0x37f91916),
              new WalSalts(0x1b9a294a, 0x031f195e),
              new WalSalts(0x1b9a2949, 0x13b3dd67)),
          WalSalts.generations(ch, 4096));
    }
  }

  @Test
  void generations_okFixture_findsOne() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      assertEquals(List.of(new WalSalts(0x4875a40b, 0xa38de4f5)), WalSalts.generations(ch, 4096));
    }
  }

  @Test
  void generations_saltMismatchFixture_includesCorruptSalt() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("salt-mismatch"))) {
      assertEquals(
          List.of(new WalSalts(0x4875a40b, 0xa38de4f5), new WalSalts(0, 0xa38de4f5)),
          WalSalts.generations(ch, 4096));
    }
  }

  @Test
  void generations_headerOnlyOrPartialFrame_empty() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    for (int len : new int[] {0, 32, 32 + 4119}) {
      Path p = WalFixtures.temp(tmp, "len" + len, Arrays.copyOf(file, len));
      try (FileChannel ch = WalFixtures.open(p)) {
        assertEquals(List.of(), WalSalts.generations(ch, 4096), "length " + len);
      }
    }
  }

  @Test
  void generations_invalidPageSize_throws() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      assertThrows(WalFormatException.class, () -> WalSalts.generations(ch, 3000));
    }
  }
}
