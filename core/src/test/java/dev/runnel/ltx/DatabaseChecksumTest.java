package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Spec §16 vectors and the fixture database checksums. */
class DatabaseChecksumTest {
  private static long db(int pageSize, int... fills) {
    DatabaseChecksum c = new DatabaseChecksum();
    for (int i = 0; i < fills.length; i++) {
      byte[] p = new byte[pageSize];
      Arrays.fill(p, (byte) fills[i]);
      c.addPage(i + 1, p, 0, pageSize);
    }
    return c.value();
  }

  @Test
  void value_emptyDatabase_isFlagOnly() {
    assertEquals(0x8000000000000000L, new DatabaseChecksum().value());
  }

  @Test
  void value_specVectors_match() {
    assertEquals(0xEFFFFFFFECD99000L, db(512, 1, 2, 3));
    assertEquals(0xEB1A999231044DDDL, db(512, '1'));
    assertEquals(0x8A249272AD9F7DEAL, db(1024, 0x81, 0x82, 0x83));
    assertEquals(0xE1899B6D587AAAAAL, db(1024, '2', '3'));
    assertEquals(0x8B87423EEEEEEEEEL, db(512, '2', '3'));
  }

  @Test
  void ofDatabase_fixtureDatabases_matchSpec() throws IOException {
    assertEquals(0x98204C0854E52D38L, DatabaseChecksum.ofDatabase(new ByteArrayInputStream(LtxFixtures.db(1)), 4096));
    assertEquals(0x9564348AF04BBBE5L, DatabaseChecksum.ofDatabase(new ByteArrayInputStream(LtxFixtures.db(2)), 4096));
    assertEquals(0xDD635715F84CB684L, DatabaseChecksum.ofDatabase(new ByteArrayInputStream(LtxFixtures.db(3)), 4096));
  }

  @Test
  void removePage_afterAdd_restoresPrevious() {
    byte[] a = new byte[512];
    Arrays.fill(a, (byte) 7);
    DatabaseChecksum c = DatabaseChecksum.of(0xEFFFFFFFECD99000L);
    c.addPage(9, a, 0, 512).removePage(9, a, 0, 512);
    assertEquals(0xEFFFFFFFECD99000L, c.value());
  }

  @Test
  void incremental_tx1ToTx2_matchesFullChecksum() throws IOException {
    byte[] tx1 = LtxFixtures.db(1);
    byte[] tx2 = LtxFixtures.db(2);
    DatabaseChecksum c = DatabaseChecksum.of(0x98204C0854E52D38L);
    for (int pgno = 1; pgno <= tx2.length / 4096; pgno++) {
      int off = (pgno - 1) * 4096;
      if (!Arrays.equals(tx1, off, off + 4096, tx2, off, off + 4096)) {
        c.removePage(pgno, tx1, off, 4096).addPage(pgno, tx2, off, 4096);
      }
    }
    assertEquals(0x9564348AF04BBBE5L, c.value());
  }
}
