package dev.runnel.replica.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Durability helpers shared by the file backend. */
final class FileSync {
  private FileSync() {}

  /**
   * fsyncs a directory so that a rename or create inside it survives a crash. Some platforms
   * (Windows) cannot open a directory for this; there the rename is as durable as the OS makes it
   * and the failure is ignored.
   */
  static void syncDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      if (isWindows()) {
        return;
      }
      throw e instanceof IOException io ? io : new IOException("cannot open " + dir + " to fsync it", e);
    }
    try (ch) {
      ch.force(true);
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
  }
}
