package dev.runnel.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <meta dir>/runnel.lock} held by whichever runnel command replicates a
 * database, so that {@code runnel snapshot} or a second {@code runnel replicate} does not capture
 * the same WAL into the same meta directory at the same time. Advisory, between runnel processes.
 */
final class MetaLock implements AutoCloseable {
  private final FileChannel ch;
  private final FileLock lock;

  private MetaLock(FileChannel ch, FileLock lock) {
    this.ch = ch;
    this.lock = lock;
  }

  /** Takes the lock or fails with a message naming the database. */
  static MetaLock acquire(Path db, Path metaDir) throws CliException, IOException {
    Files.createDirectories(metaDir);
    Path f = metaDir.resolve("runnel.lock");
    FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      String holder = "";
      try {
        holder = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        // unknown holder
      }
      ch.close();
      throw new CliException(db + " is being replicated by another runnel process"
          + (holder.isEmpty() ? "" : " (pid " + holder + ")"),
          "stop it first, or use 'runnel replicate -once -force-snapshot' when it is not running");
    }
    ch.truncate(0);
    ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
    return new MetaLock(ch, l);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      ch.close();
    }
  }
}
