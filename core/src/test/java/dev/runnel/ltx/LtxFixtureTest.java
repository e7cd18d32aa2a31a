package dev.runnel.ltx;

import static dev.runnel.ltx.LtxFixtures.N1;
import static dev.runnel.ltx.LtxFixtures.N13;
import static dev.runnel.ltx.LtxFixtures.N2;
import static dev.runnel.ltx.LtxFixtures.N3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every golden file decodes, verifies and matches its manifest; rebuilds are byte-identical. */
class LtxFixtureTest {
  static final List<String> ALL = LtxFixtures.ALL;

  @ParameterizedTest
  @FieldSource("ALL")
  void verify_goldenFile_matchesManifest(String name) throws IOException {
    LtxFixtures.Manifest m = LtxFixtures.manifest(name);
    byte[] file = LtxFixtures.bytes(name);
    assertEquals(m.size(), file.length);
    LtxFileSummary s = LtxDecoder.verify(new ByteArrayInputStream(file), name);
    LtxHeader h = s.header();
    assertEquals(m.headerHex(), HexFormat.of().formatHex(h.toBytes()));
    assertEquals(m.flags(), h.flags());
    assertEquals(m.pageSize(), h.pageSize());
    assertEquals(m.commit(), h.commit());
    assertEquals(m.minTxId(), h.minTxId().value());
    assertEquals(m.maxTxId(), h.maxTxId().value());
    assertEquals(m.timestamp(), h.timestamp());
    assertEquals(m.preApply(), h.preApplyChecksum());
    assertEquals(m.walOffset(), h.walOffset());
    assertEquals(m.walSize(), h.walSize());
    assertEquals(m.salt1(), h.walSalt1());
    assertEquals(m.salt2(), h.walSalt2());
    assertEquals(m.nodeId(), h.nodeId());
    assertEquals(m.pages().size(), s.pageCount());
    for (int i = 0; i < s.pageCount(); i++) {
      LtxFixtures.Page want = m.pages().get(i);
      LtxPageInfo got = s.pages().get(i);
      assertEquals(want.pgno(), got.pgno());
      assertEquals(want.flags(), got.encoding().pageFlags());
      assertEquals(want.frameOffset(), got.frameOffset());
      assertEquals(want.frameSize(), got.frameSize());
      assertEquals(want.pageChecksum(), got.pageChecksum(), "page checksum of pgno " + want.pgno());
    }
    assertEquals(m.indexOffset(), s.indexOffset());
    assertEquals(m.indexLength(), s.indexLength());
    assertEquals(m.postApply(), s.trailer().postApplyChecksum());
    assertEquals(m.fileChecksum(), s.trailer().fileChecksum());
    assertEquals(file.length, s.fileSize());
    if (h.isSnapshot() && !h.noChecksum()) {
      assertEquals(m.postApply(), s.databaseChecksum());
    }
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void pageReader_goldenFile_indexAndPagesMatchManifest(String name) throws IOException {
    LtxFixtures.Manifest m = LtxFixtures.manifest(name);
    byte[] file = LtxFixtures.bytes(name);
    int[] reads = {0};
    RangeReader rr = new RangeReader() {
      @Override
      public long size() {
        return file.length;
      }

      @Override
      public InputStream open(long offset, long length) {
        reads[0]++;
        return new ByteArrayInputStream(file, (int) offset, (int) length);
      }
    };
    LtxPageReader r = new LtxPageReader(rr, name);
    assertEquals(2, reads[0], "header + one 32 KiB tail read");
    assertEquals(m.entries().size(), r.index().size());
    for (int i = 0; i < r.index().size(); i++) {
      LtxFixtures.Entry e = m.entries().get(i);
      assertEquals(new LtxPageIndex.Entry(e.pgno(), e.offset(), e.size()), r.index().entry(i));
    }
    assertEquals(m.indexOffset(), r.index().indexOffset());
    assertEquals(m.fileChecksum(), r.index().trailer().fileChecksum());
    byte[] page = new byte[m.pageSize()];
    for (LtxFixtures.Page p : m.pages()) {
      assertTrue(r.readPage(p.pgno(), page));
      assertEquals(p.pageChecksum(), DatabaseChecksum.pageChecksum(p.pgno(), page, 0, page.length));
    }
    assertFalse(r.readPage(100, page));
  }

  @Test
  void materialize_goldenChains_byteIdenticalToDatabases() throws IOException {
    for (String dir : List.of("nochecksum", "checksum", "legacy")) {
      assertArrayEquals(LtxFixtures.db(1), rebuild(dir + "/" + N1), dir + " 1");
      assertArrayEquals(LtxFixtures.db(2), rebuild(dir + "/" + N1, dir + "/" + N2), dir + " 1+2");
      if (!dir.equals("legacy")) {
        assertArrayEquals(LtxFixtures.db(3), rebuild(dir + "/" + N1, dir + "/" + N2, dir + "/" + N3), dir + " 1+2+3");
      }
    }
    assertArrayEquals(LtxFixtures.db(3), rebuild("nochecksum/" + N13), "01-03 alone");
    // Mixed encodings in one chain.
    assertArrayEquals(LtxFixtures.db(3), rebuild("legacy/" + N1, "legacy/" + N2, "nochecksum/" + N3));
  }

  private static byte[] rebuild(String... names) throws IOException {
    List<LtxDecoder> in = new ArrayList<>();
    for (String n : names) {
      in.add(LtxFixtures.decoder(n));
    }
    return LtxFixtures.materialize(in);
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void encode_goldenPagesReencoded_decodesToSameHeaderAndPages(String name) throws IOException {
    LtxDecoder d = LtxFixtures.decoder(name);
    List<Object[]> pages = LtxFixtures.pages(d);
    LtxHeader h = d.header();
    for (PageEncoding enc : PageEncoding.values()) {
      for (boolean track : new boolean[] {false, true}) {
        LtxHeader in = h;
        if (track && h.noChecksum() && !h.isSnapshot()) {
          continue; // a tracked incremental needs a real pre-apply checksum
        }
        if (!track) {
          in = h.withPreApplyChecksum(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder e = new LtxEncoder(out, in, new LtxEncoder.Options(enc, track));
        for (Object[] p : pages) {
          e.encodePage((Integer) p[0], (byte[]) p[1]);
        }
        long post = track ? (h.noChecksum() ? -1 : d.trailer().postApplyChecksum()) : 0;
        LtxTrailer t = track && h.isSnapshot() ? e.finish() : e.finish(post);
        LtxDecoder back = new LtxDecoder(new ByteArrayInputStream(out.toByteArray()), "reencoded " + name);
        List<Object[]> again = LtxFixtures.pages(back);
        assertEquals(in.withFlags(track ? 0 : LtxHeader.FLAG_NO_CHECKSUM), back.header());
        assertEquals(t, back.trailer());
        assertPagesEqual(pages, again);
        if (track && !h.noChecksum()) {
          assertEquals(d.trailer().postApplyChecksum(), t.postApplyChecksum());
        }
      }
    }
  }

  @Test
  void compact_golden123_matchesGolden13() throws IOException {
    for (String dir : List.of("nochecksum", "checksum")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      LtxCompactor.Result r = LtxCompactor.compact(List.of(LtxFixtures.decoder(dir + "/" + N1),
          LtxFixtures.decoder(dir + "/" + N2), LtxFixtures.decoder(dir + "/" + N3)), out);
      LtxDecoder golden = LtxFixtures.decoder("nochecksum/" + N13);
      List<Object[]> want = LtxFixtures.pages(golden);
      LtxDecoder got = new LtxDecoder(new ByteArrayInputStream(out.toByteArray()), "compacted");
      assertEquals(golden.header(), got.header(), dir);
      assertEquals(golden.header(), r.header());
      assertPagesEqual(want, LtxFixtures.pages(got));
      assertEquals(0, got.trailer().postApplyChecksum(), "never copied into a no-checksum output");
    }
  }

  @Test
  void compact_trackedInputsTrackedOutput_copiesChecksums() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxCompactor.Options o = new LtxCompactor.Options(LtxEncoder.Options.DEFAULT.withTrackChecksums(true), false);
    LtxCompactor.compact(List.of(LtxFixtures.decoder("checksum/" + N2), LtxFixtures.decoder("checksum/" + N3)), out, o);
    LtxDecoder got = new LtxDecoder(new ByteArrayInputStream(out.toByteArray()), "compacted");
    LtxFixtures.pages(got);
    assertEquals(0, got.header().flags());
    assertEquals(0x98204c0854e52d38L, got.header().preApplyChecksum());
    assertEquals(0xdd635715f84cb684L, got.trailer().postApplyChecksum());
  }

  static void assertPagesEqual(List<Object[]> want, List<Object[]> got) {
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i)[0], got.get(i)[0]);
      assertArrayEquals((byte[]) want.get(i)[1], (byte[]) got.get(i)[1], "pgno " + want.get(i)[0]);
    }
  }
}
