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
      WriteBehind wb = new WriteBehind(ch, 1 << 20, TimeUnit.MILLISECONDS.toNanos(1));
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
  void finish_backgroundFlushFailed_reportsIt() throws Exception {
    Path f = tmp.resolve("out");
    Files.write(f, new byte[4 << 20]);
    FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE);
    WriteBehind wb = new WriteBehind(ch, 1, TimeUnit.MILLISECONDS.toNanos(1));
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
