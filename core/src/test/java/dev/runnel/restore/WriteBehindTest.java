package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background flusher of large durable restores. */
class WriteBehindTest {
  @TempDir Path tmp;

  @Test
  void finish_fileGrowsPastSteps_flushedWhileWriting() throws Exception {
    Path f = tmp.resolve("out");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      WriteBehind wb = new WriteBehind(ch, null, 1 << 20, TimeUnit.MILLISECONDS.toNanos(1));
      ByteBuffer chunk = ByteBuffer.allocate(256 << 10);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      long pos = 0;
      // Keep writing until the flusher has caught up with at least one step (bounded in time).
      while (wb.flushedBytes() == 0 && System.nanoTime() < deadline) {
        chunk.clear();
        ch.write(chunk, pos);
        pos += chunk.capacity();
        Thread.sleep(1);
      }
      wb.finish();
      assertTrue(wb.flushedBytes() >= 1 << 20, "flushed in the background: " + wb.flushedBytes());
      assertTrue(wb.flushedBytes() <= pos);
      wb.close(); // idempotent
    }
  }

  @Test
  void start_hintsSupported_stepsOnlyStartWriteback() throws Exception {
    Path f = tmp.resolve("out");
    byte[] expected = new byte[24 << 20];
    new java.util.SplittableRandom(3).nextBytes(expected);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      WriteBehind wb = WriteBehind.start(ch, f, TimeUnit.MILLISECONDS.toNanos(1));
      assertEquals(dev.runnel.io.WritebackHint.supported(), wb.usesHint());
      long step = wb.usesHint() ? WriteBehind.HINT_STEP_BYTES : WriteBehind.FSYNC_STEP_BYTES;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int pos = 0;
      while (pos < expected.length) {
        int n = Math.min(1 << 20, expected.length - pos);
        ch.write(ByteBuffer.wrap(expected, pos, n), pos);
        pos += n;
        // Give the flusher time to see each step (bounded).
        while (pos >= step && wb.flushedBytes() < step && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
      }
      wb.finish();
      assertTrue(wb.flushedBytes() >= step, "handed to writeback in the background: " + wb.flushedBytes());
      ch.force(true);
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Files.readAllBytes(f));
  }

  @Test
  void finish_backgroundFlushFailed_reportsIt() throws Exception {
    Path f = tmp.resolve("out");
    Files.write(f, new byte[4 << 20]);
    FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE);
    WriteBehind wb = new WriteBehind(ch, null, 1, TimeUnit.MILLISECONDS.toNanos(1));
    // A closed channel makes the next size/force fail, as a dead disk would.
    ch.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!wb.failed() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    IOException e = assertThrows(IOException.class, wb::finish);
    assertTrue(e.getMessage().startsWith("background flush of the restored file failed"), e.getMessage());
    assertEquals(0, wb.flushedBytes());
  }
}
