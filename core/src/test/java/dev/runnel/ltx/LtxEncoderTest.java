package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class LtxEncoderTest {
  private static final byte[] PAGE = new byte[4096];

  private static LtxEncoder enc(int commit, long min, long max) {
    return new LtxEncoder(new ByteArrayOutputStream(), LtxHeader.of(4096, commit, TxId.of(min), TxId.of(max), 1L));
  }

  @Test
  void encodePage_outOfOrder_rejected() throws IOException {
    LtxEncoder e = enc(10, 2, 2);
    e.encodePage(5, PAGE);
    assertThrows(IllegalArgumentException.class, () -> e.encodePage(3, PAGE));
    assertThrows(IllegalStateException.class, e::finish, "failed encoder never completes a file");
  }

  @Test
  void encodePage_duplicate_rejected() throws IOException {
    LtxEncoder e = enc(10, 2, 2);
    e.encodePage(5, PAGE);
    assertThrows(IllegalArgumentException.class, () -> e.encodePage(5, PAGE));
  }

  @Test
  void encodePage_lockPage_rejected() {
    LtxEncoder e = enc(300000, 2, 2);
    assertThrows(IllegalArgumentException.class, () -> e.encodePage(262145, PAGE));
  }

  @Test
  void encodePage_pgnoAboveCommitOrZero_rejected() {
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(11, PAGE));
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(0, PAGE));
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(-1, PAGE));
  }

  @Test
  void encodePage_wrongLength_rejected() {
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(1, new byte[4095]));
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(1, new byte[4097]));
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).encodePage(1, new byte[5000], 1000));
  }

  @Test
  void snapshot_holeOrIncomplete_rejected() throws IOException {
    LtxEncoder e = enc(3, 1, 1);
    e.encodePage(1, PAGE);
    assertThrows(IllegalArgumentException.class, () -> e.encodePage(3, PAGE));
    LtxEncoder f = enc(3, 1, 1);
    f.encodePage(1, PAGE);
    f.encodePage(2, PAGE);
    assertThrows(IllegalArgumentException.class, f::finish);
  }

  @Test
  void constructor_invalidHeader_rejected() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, LtxHeader.of(1000, 1, TxId.ONE, TxId.ONE, 0)));
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, LtxHeader.of(4096, 1, TxId.of(3), TxId.of(2), 0)));
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, LtxHeader.of(4096, 1, TxId.ZERO, TxId.ONE, 0)));
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, LtxHeader.of(4096, 0, TxId.ONE, TxId.ONE, 0)));
    LtxHeader salts = new LtxHeader(2, 4096, 1, TxId.ONE, TxId.ONE, 0, 0, 0, 0, 5, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, salts));
    LtxHeader pre = LtxHeader.of(4096, 1, TxId.of(2), TxId.of(2), 0).withPreApplyChecksum(0x8000000000000001L);
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, pre), "pre-apply checksum in a no-checksum file");
    LtxEncoder.Options tracked = LtxEncoder.Options.DEFAULT.withTrackChecksums(true);
    assertThrows(IllegalArgumentException.class, () -> new LtxEncoder(out, LtxHeader.of(4096, 1, TxId.of(2), TxId.of(2), 0), tracked),
        "tracked incremental needs a pre-apply checksum");
  }

  @Test
  void finish_postChecksumInNoChecksumFile_rejected() {
    assertThrows(IllegalArgumentException.class, () -> enc(10, 2, 2).finish(0x8000000000000000L));
  }

  @Test
  void finish_trackedSnapshotWrongPostChecksum_rejected() throws IOException {
    LtxEncoder e = new LtxEncoder(new ByteArrayOutputStream(), LtxHeader.of(4096, 1, TxId.ONE, TxId.ONE, 0),
        LtxEncoder.Options.DEFAULT.withTrackChecksums(true));
    e.encodePage(1, PAGE);
    assertThrows(IllegalArgumentException.class, () -> e.finish(0x8000000000000123L));
  }

  @Test
  void finish_emptyIncremental_writesMinimalFile() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LtxEncoder(out, LtxHeader.of(4096, 5, TxId.of(2), TxId.of(2), 0)).finish();
    assertEquals(100 + 6 + 1 + 8 + 16, out.size());
    LtxFileSummary s = LtxDecoder.verify(new java.io.ByteArrayInputStream(out.toByteArray()), "empty");
    assertEquals(0, s.pageCount());
  }
}
