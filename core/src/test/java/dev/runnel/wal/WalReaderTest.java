package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalReaderTest {
  private static final int PAGE = 4096;
  private static final int SALT1 = 0x4875a40b;
  private static final int SALT2 = 0xa38de4f5;

  @TempDir Path tmp;

  @Test
  void next_okFixture_readsThreeFramesWithTwoCommits() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      assertEquals(32, r.offset());
      List<byte[]> pages = new ArrayList<>();
      List<WalFrame> frames = WalFixtures.readAll(r, pages);
      assertEquals(
          List.of(
              new WalFrame(32, 1, 0, SALT1, SALT2),
              new WalFrame(4152, 2, 2, SALT1, SALT2),
              new WalFrame(8272, 2, 2, SALT1, SALT2)),
          frames);
      assertEquals(12392, r.offset());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(WalFixtures.framePage(ch, frames.get(i).offset(), PAGE), pages.get(i));
      }
      assertNull(r.next(new byte[PAGE]), "end of log stays ended");
      assertEquals(0, ch.position(), "positional reads only");
      assertTrue(ch.isOpen(), "reader does not close the channel");
    }
  }

  @Test
  void next_saltMismatchFixture_stopsAfterFirstFrame() throws IOException {
    assertFramesRead("salt-mismatch", 1, 4152);
  }

  @Test
  void next_frameChecksumMismatchFixture_stopsAfterFirstFrame() throws IOException {
    assertFramesRead("frame-checksum-mismatch", 1, 4152);
  }

  @Test
  void next_frameSaltsFixture_readsOnlyCurrentGeneration() throws IOException {
    assertFramesRead("frame-salts", 2, 8272);
  }

  @Test
  void next_truncatedMidFrame_endsLogBeforeIt() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    for (int cut : new int[] {8272 + 10, 8272 + 24, 8272 + 24 + 100, 12391}) {
      Path p = WalFixtures.temp(tmp, "cut" + cut, Arrays.copyOf(file, cut));
      try (FileChannel ch = WalFixtures.open(p)) {
        WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
        assertEquals(2, WalFixtures.readAll(r, null).size(), "cut at " + cut);
        assertEquals(8272, r.offset());
      }
    }
  }

  @Test
  void next_grownAfterEnd_continuesWithAppendedFrames() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    Path p = WalFixtures.temp(tmp, "grow", Arrays.copyOf(file, 8272 + 500));
    try (FileChannel ch = WalFixtures.open(p)) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      assertEquals(2, WalFixtures.readAll(r, null).size());
      java.nio.file.Files.write(p, file);
      WalFrame f = r.next(null);
      assertEquals(new WalFrame(8272, 2, 2, SALT1, SALT2), f);
    }
  }

  @Test
  void next_randomByteFlipInFrame_endsLogAtOrBeforeFlippedFrame() throws IOException {
    long seed = 20250101L;
    Random rnd = new Random(seed);
    byte[] orig = WalFixtures.bytes(WalFixtures.ltxDb("wal1.bin"));
    int frameSize = PAGE + 24;
    int totalFrames = (orig.length - 32) / frameSize;
    Path p = tmp.resolve("flip");
    for (int i = 0; i < 200; i++) {
      byte[] file = orig.clone();
      int pos = 32 + rnd.nextInt(file.length - 32);
      file[pos] ^= (byte) (1 + rnd.nextInt(255));
      int flipped = (pos - 32) / frameSize;
      java.nio.file.Files.write(p, file);
      try (FileChannel ch = WalFixtures.open(p)) {
        WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
        List<WalFrame> frames = WalFixtures.readAll(r, null);
        String msg = "seed " + seed + " iteration " + i + " byte " + pos;
        assertEquals(flipped, frames.size(), msg);
        for (WalFrame f : frames) {
          assertTrue(f.offset() + frameSize <= 32 + (long) flipped * frameSize, msg);
        }
      }
    }
    assertEquals(28, totalFrames);
  }

  @Test
  void next_bigEndianSyntheticWal_readsAllFrames() throws IOException {
    for (boolean be : new boolean[] {true, false}) {
      byte[] wal = new SyntheticWal(1024, be, 11, 22).frame(1, 0, 1).frame(2, 2, 2).bytes();
      Path p = WalFixtures.temp(tmp, "syn" + be, wal);
      try (FileChannel ch = WalFixtures.open(p)) {
        WalHeader h = WalHeader.read(ch).orElseThrow();
        assertEquals(be, h.bigEndianChecksums());
        byte[] page = new byte[1024];
        WalReader r = WalReader.open(ch, h);
        assertEquals(new WalFrame(32, 1, 0, 11, 22), r.next(page));
        assertEquals(1, page[1023]);
        assertEquals(new WalFrame(32 + 1048, 2, 2, 11, 22), r.next(page));
        assertEquals(2, page[0]);
        assertNull(r.next(page));
      }
    }
  }

  @Test
  void next_pageNumberZero_endsLog() throws IOException {
    byte[] wal = new SyntheticWal(512, false, 1, 2).frame(1, 1, 1).frame(0, 1, 1).bytes();
    Path p = WalFixtures.temp(tmp, "pgno0", wal);
    try (FileChannel ch = WalFixtures.open(p)) {
      assertEquals(1, WalFixtures.readAll(WalReader.open(ch, WalHeader.read(ch).orElseThrow()), null).size());
    }
  }

  @Test
  void next_pageBufferTooSmall_throws() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      assertThrows(IllegalArgumentException.class, () -> r.next(new byte[100]));
    }
  }

  @Test
  void resume_everyFrameBoundary_yieldsSameRemainingFrames() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.ltxDb("wal1.bin"))) {
      WalHeader h = WalHeader.read(ch).orElseThrow();
      List<byte[]> allPages = new ArrayList<>();
      List<WalFrame> all = WalFixtures.readAll(WalReader.open(ch, h), allPages);
      assertEquals(28, all.size());
      int commits = 0;
      for (int k = 0; k <= all.size(); k++) {
        long off = WalHeader.frameOffset(PAGE, k);
        if (k > 0 && all.get(k - 1).isCommit()) {
          commits++;
        }
        WalReader r = WalReader.resume(ch, PAGE, false, off, h.salt1(), h.salt2());
        assertEquals(off, r.offset());
        List<byte[]> pages = new ArrayList<>();
        List<WalFrame> rest = WalFixtures.readAll(r, pages);
        assertEquals(all.subList(k, all.size()), rest, "resume at " + off);
        for (int i = 0; i < rest.size(); i++) {
          assertArrayEquals(allPages.get(k + i), pages.get(i));
        }
      }
      assertEquals(5, commits);
    }
  }

  @Test
  void resume_wrongSalts_throwsPrevFrameMismatch() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      PrevFrameMismatchException e =
          assertThrows(
              PrevFrameMismatchException.class,
              () -> WalReader.resume(ch, PAGE, false, 4152, SALT1 + 1, SALT2));
      assertEquals(4152, e.offset());
      assertThrows(
          PrevFrameMismatchException.class,
          () -> WalReader.resume(ch, PAGE, false, 8272, SALT1, ~SALT2));
    }
  }

  @Test
  void resume_atHeaderWithWrongSalts_returnsNoFrames() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      assertNull(WalReader.resume(ch, PAGE, false, 32, SALT1 + 1, SALT2).next(null));
      assertEquals(3, WalFixtures.readAll(WalReader.resume(ch, PAGE, false, 32, SALT1, SALT2), null).size());
    }
  }

  @Test
  void resume_atHeaderOfInvalidWal_returnsNoFrames() throws IOException {
    byte[] file = WalFixtures.bytes(WalFixtures.walCase("ok"));
    file[30] ^= 1;
    Path p = WalFixtures.temp(tmp, "badhdr", file);
    try (FileChannel ch = WalFixtures.open(p)) {
      assertNull(WalReader.resume(ch, PAGE, false, 32, SALT1, SALT2).next(null));
    }
  }

  @Test
  void resume_atHeaderWithOtherPageSize_throwsPrevFrameMismatch() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      assertThrows(
          PrevFrameMismatchException.class,
          () -> WalReader.resume(ch, 1024, false, 32, SALT1, SALT2));
      assertThrows(
          PrevFrameMismatchException.class,
          () -> WalReader.resume(ch, PAGE, true, 32, SALT1, SALT2));
    }
  }

  @Test
  void resume_beyondEndOfFile_throwsPrevFrameMismatch() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      assertThrows(
          PrevFrameMismatchException.class,
          () -> WalReader.resume(ch, PAGE, false, WalHeader.frameOffset(PAGE, 4), SALT1, SALT2));
      // Exactly at the end is fine: no frames yet.
      assertNull(WalReader.resume(ch, PAGE, false, 12392, SALT1, SALT2).next(null));
    }
  }

  @Test
  void resume_unalignedOffset_throwsFormatExceptionNamingFile() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      for (long off : new long[] {0, 31, 33, 4151, 4153, 5000}) {
        WalFormatException e =
            assertThrows(
                WalFormatException.class,
                () -> WalReader.resume(ch, "db-wal", PAGE, false, off, SALT1, SALT2));
        assertEquals("db-wal", e.file());
        assertEquals(Long.toString(off), e.actual());
        assertTrue(e.getMessage().contains("db-wal") && e.getMessage().contains("offset"), e.getMessage());
      }
    }
  }

  @Test
  void resume_invalidPageSize_throwsFormatException() throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase("ok"))) {
      WalFormatException e =
          assertThrows(
              WalFormatException.class, () -> WalReader.resume(ch, 4000, false, 32, SALT1, SALT2));
      assertEquals("page size", e.field());
      assertEquals("4000", e.actual());
    }
  }

  private static void assertFramesRead(String fixture, int frames, long endOffset)
      throws IOException {
    try (FileChannel ch = WalFixtures.open(WalFixtures.walCase(fixture))) {
      WalReader r = WalReader.open(ch, WalHeader.read(ch).orElseThrow());
      assertEquals(frames, WalFixtures.readAll(r, null).size());
      assertEquals(endOffset, r.offset());
    }
  }
}
