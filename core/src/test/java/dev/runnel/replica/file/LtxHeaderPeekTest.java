package dev.runnel.replica.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.TestData;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.InvalidLtxHeaderException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class LtxHeaderPeekTest {

  private static byte[] golden(String range) throws Exception {
    return Files.readAllBytes(TestData.path("ltx", "nochecksum", range + ".ltx"));
  }

  @Test
  void read_goldenFiles_givesRangeAndTimestamp() throws Exception {
    String[][] cases = {
        {"0000000000000001-0000000000000001", "1", "1", "1735689600000"},
        {"0000000000000002-0000000000000002", "2", "2", "1735689601000"},
        {"0000000000000003-0000000000000003", "3", "3", "1735689602000"},
        {"0000000000000001-0000000000000003", "1", "3", "1735689602000"}};
    for (String[] c : cases) {
      TxId min = TxId.of(Long.parseLong(c[1]));
      TxId max = TxId.of(Long.parseLong(c[2]));
      LtxHeaderPeek h = LtxHeaderPeek.read(new ByteArrayInputStream(golden(c[0])), new byte[100], min, max, c[0]);
      assertEquals(new LtxHeaderPeek(min, max, Long.parseLong(c[3])), h, c[0]);
    }
  }

  @Test
  void read_rangeMismatch_namesSourceExpectedAndActual() throws Exception {
    InvalidLtxHeaderException e = assertThrows(InvalidLtxHeaderException.class, () -> LtxHeaderPeek.read(
        new ByteArrayInputStream(golden("0000000000000001-0000000000000003")), new byte[100],
        TxId.of(1), TxId.of(2), "some/file.ltx"));
    assertTrue(e.getMessage().contains("some/file.ltx"), e.getMessage());
    assertTrue(e.getMessage().contains("0000000000000001-0000000000000003"), e.getMessage());
    assertTrue(e.getMessage().contains("0000000000000001-0000000000000002"), e.getMessage());
  }

  @Test
  void parse_shortOrBadMagic_throws() throws Exception {
    byte[] g = golden("0000000000000002-0000000000000002");
    InvalidLtxHeaderException shortE = assertThrows(InvalidLtxHeaderException.class,
        () -> LtxHeaderPeek.parse(g, 99, "x"));
    assertTrue(shortE.getMessage().contains("99"), shortE.getMessage());
    g[0] = 'l';
    InvalidLtxHeaderException magic = assertThrows(InvalidLtxHeaderException.class,
        () -> LtxHeaderPeek.parse(g, g.length, "x"));
    assertTrue(magic.getMessage().contains("6c545831"), magic.getMessage());
  }
}
