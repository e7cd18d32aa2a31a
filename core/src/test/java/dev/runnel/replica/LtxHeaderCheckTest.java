package dev.runnel.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.TestData;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class LtxHeaderCheckTest {

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
      LtxHeader h = LtxHeaderCheck.read(new ByteArrayInputStream(golden(c[0])), new byte[100], min, max, c[0]);
      assertEquals(min, h.minTxId(), c[0]);
      assertEquals(max, h.maxTxId(), c[0]);
      assertEquals(Long.parseLong(c[3]), h.timestamp(), c[0]);
    }
  }

  @Test
  void read_rangeMismatch_namesSourceExpectedAndActual() throws Exception {
    InvalidLtxHeaderException e = assertThrows(InvalidLtxHeaderException.class, () -> LtxHeaderCheck.read(
        new ByteArrayInputStream(golden("0000000000000001-0000000000000003")), new byte[100],
        TxId.of(1), TxId.of(2), "some/file.ltx"));
    assertTrue(e.getMessage().contains("some/file.ltx"), e.getMessage());
    assertTrue(e.getMessage().contains("0000000000000001-0000000000000003"), e.getMessage());
    assertTrue(e.getMessage().contains("0000000000000001-0000000000000002"), e.getMessage());
  }

  @Test
  void read_shortBadMagicOrInvalidFields_throwsNamingSource() throws Exception {
    byte[] g = golden("0000000000000002-0000000000000002");
    InvalidLtxHeaderException shortE = assertThrows(InvalidLtxHeaderException.class,
        () -> LtxHeaderCheck.read(new ByteArrayInputStream(g, 0, 99), new byte[100], TxId.of(2), TxId.of(2), "x"));
    assertTrue(shortE.getMessage().contains("99"), shortE.getMessage());
    byte[] magic = g.clone();
    magic[0] = 'l';
    InvalidLtxHeaderException m = assertThrows(InvalidLtxHeaderException.class,
        () -> LtxHeaderCheck.read(new ByteArrayInputStream(magic), new byte[100], TxId.of(2), TxId.of(2), "x.ltx"));
    assertTrue(m.getMessage().contains("x.ltx") && m.getMessage().contains("magic"), m.getMessage());
    byte[] pageSize = g.clone();
    pageSize[10] = 0x11; // page size 0x1110: not a power of two
    InvalidLtxHeaderException p = assertThrows(InvalidLtxHeaderException.class,
        () -> LtxHeaderCheck.read(new ByteArrayInputStream(pageSize), new byte[100], TxId.of(2), TxId.of(2), "y.ltx"));
    assertTrue(p.getMessage().contains("y.ltx"), p.getMessage());
  }
}
