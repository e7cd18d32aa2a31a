package dev.runnel.restore.v3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class V3NamesTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void parseSegmentName_eightDigitOffset_parsed() {
    assertArrayEquals(new long[] {0, 0x4080}, V3Names.parseSegmentName(
        "00000000_00004080.wal.lz4").orElseThrow());
  }

  @Test
  void parseSegmentName_nineDigitOffset_acceptedBeyond4GiB() {
    assertArrayEquals(new long[] {3, 0x1_0000_0000L}, V3Names.parseSegmentName(
        "00000003_100000000.wal.lz4").orElseThrow());
  }

  @Test
  void parseSegmentName_sixteenDigitOffset_accepted() {
    assertArrayEquals(new long[] {0xffffffffL, 0x7fff_ffff_ffff_fff0L}, V3Names.parseSegmentName(
        "ffffffff_7ffffffffffffff0.wal.lz4").orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0000000A_00000000.wal.lz4", // upper-case index
      "00000000_0000ABCD.wal.lz4", // upper-case offset
      "00000000_00000000.WAL.LZ4",
      "00000000_0000000.wal.lz4", // 7-digit offset
      "00000000_00000000000000000.wal.lz4", // 17-digit offset
      "0000000_00000000.wal.lz4", // 7-digit index
      "00000000_00000000.wal.lz4.tmp",
      "00000000_00000000.wal",
      "00000000_ffffffffffffffff.wal.lz4" // does not fit a signed long: no real WAL is that big
  })
  void parseSegmentName_malformed_rejected(String name) {
    assertTrue(V3Names.parseSegmentName(name).isEmpty(), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0000000A.snapshot.lz4", "000000000.snapshot.lz4",
      "00000000.snapshot.lz4.tmp", "00000000.snapshot", "00000000.SNAPSHOT.LZ4"})
  void parseSnapshotName_malformed_rejected(String name) {
    assertTrue(V3Names.parseSnapshotName(name).isEmpty(), name);
  }

  @Test
  void parseSnapshotName_lowerHex_parsed() {
    assertEquals(0xabL, V3Names.parseSnapshotName("000000ab.snapshot.lz4").orElseThrow());
  }

  @Test
  void parse_segmentKey_carriesAllFields() {
    var p = V3Names.parse(new V3Object(
        "generations/0123456789abcdef/wal/00000001_00001000.wal.lz4", 77, T)).orElseThrow();
    V3Segment s = assertInstanceOf(V3Names.ParsedSegment.class, p).segment();
    assertEquals(new V3Segment("0123456789abcdef", 1, 0x1000, T, 77,
        "generations/0123456789abcdef/wal/00000001_00001000.wal.lz4"), s);
    assertEquals("0123456789abcdef/00000001:0000000000001000", s.position());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "generations/0123456789ABCDEF/snapshots/00000000.snapshot.lz4", // upper-case generation
      "generations/0123456789abcde/snapshots/00000000.snapshot.lz4", // 15 chars
      "generations/0123456789abcdef/snapshot/00000000.snapshot.lz4", // wrong directory
      "generations/0123456789abcdef/wal/00000000.snapshot.lz4", // snapshot name in wal/
      "generations/0123456789abcdef/snapshots/00000000_00000000.wal.lz4", // segment in snapshots/
      "generations/0123456789abcdef/wal/x/00000000_00000000.wal.lz4", // too deep
      "generation", "generations/0123456789abcdef/generation", ".DS_Store"
  })
  void parse_nonV3Key_ignored(String key) {
    assertFalse(V3Names.parse(new V3Object(key, 1, T)).isPresent(), key);
  }
}
