package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every single-byte flip (XOR 0xFF and 0x01) and every truncation of every golden file is
 * rejected with an {@link LtxCorruptException} naming the source, or decodes to exactly the
 * original header and pages.
 *
 * <p>Coverage: header, page headers, size fields, index, length and trailer are all inside the
 * file checksum (or are the checksum), and the decoded pages are too. The only bytes not covered
 * by any check are LZ4 compressed bytes whose mutation yields another valid encoding of the same
 * page, e.g. a match offset inside a run of equal bytes; the file checksum is over decompressed
 * data by design (spec §9). Such mutations are accepted here only if the decoded output is
 * byte-identical; the test prints how many there were.
 */
class LtxMutationTest {
  static final List<String> ALL = LtxFixtures.ALL;

  @ParameterizedTest
  @FieldSource("ALL")
  void decode_everyByteFlip_rejectedOrIdentical(String name) throws IOException {
    byte[] file = LtxFixtures.bytes(name);
    LtxHeader header = LtxFixtures.decoder(name).header();
    List<Object[]> pages = LtxFixtures.pages(LtxFixtures.decoder(name));
    List<String> benign = new ArrayList<>();
    for (int i = 0; i < file.length; i++) {
      for (int mask : new int[] {0xFF, 0x01}) {
        byte[] m = file.clone();
        m[i] ^= (byte) mask;
        if (!check(m, name, header, pages)) {
          benign.add(i + "^" + Integer.toHexString(mask));
        }
      }
    }
    System.out.println(name + ": " + benign.size() + " of " + 2 * file.length
        + " flips decode to identical content (alternative LZ4 encodings): " + benign);
    for (String b : benign) {
      int off = Integer.parseInt(b.substring(0, b.indexOf('^')));
      assertTrue(off >= LtxHeader.SIZE && off < file.length - LtxTrailer.SIZE, "benign flip outside the page block: " + b);
    }
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void decode_everyTruncation_rejected(String name) throws IOException {
    byte[] file = LtxFixtures.bytes(name);
    for (int len = 0; len < file.length; len++) {
      byte[] m = java.util.Arrays.copyOf(file, len);
      try {
        LtxDecoder.verify(new ByteArrayInputStream(m), name);
        fail("truncation to " + len + " accepted");
      } catch (LtxCorruptException e) {
        assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
      }
    }
  }

  /** True if rejected properly, false if accepted with identical content; fails otherwise. */
  private static boolean check(byte[] m, String name, LtxHeader header, List<Object[]> pages) throws IOException {
    try {
      LtxDecoder d = new LtxDecoder(new ByteArrayInputStream(m), name);
      List<Object[]> got = LtxFixtures.pages(d);
      assertEquals(header, d.header(), "mutated header accepted");
      LtxFixtureTest.assertPagesEqual(pages, got);
      return false;
    } catch (LtxCorruptException e) {
      assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
      assertEquals(name, e.source());
      return true;
    } catch (RuntimeException e) {
      throw new AssertionError(name + ": mutation gave " + e, e);
    }
  }
}
