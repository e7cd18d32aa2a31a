package dev.runnel.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file writes: a file appears under its final name whole or not at all, and survives a
 * power loss once the call returns (temp file, fsync, rename, directory fsync).
 */
public final class Durable {
  private Durable() {}

  /** Writes one file's content. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Atomically creates or replaces {@code target} with what {@code writer} writes. On any failure
   * the temp file is removed and {@code target} is left as it was.
   */
  public static void write(Path target, Writer writer) throws IOException {
    write(target, writer, true);
  }

  /**
   * Like {@link #write(Path, Writer)}; with {@code fsync} false the rename is still atomic against
   * a process crash (the page cache survives it) but not against power loss, where the file may
   * come back empty or partial. Only for caches whose readers verify what they read.
   */
  public static void write(Path target, Writer writer, boolean fsync) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    boolean ok = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 64 * 1024);
        writer.write(out);
        out.flush();
        if (fsync) {
          ch.force(true);
        }
      }
      moveAtomically(tmp, target);
      if (fsync) {
        fsyncDirectory(dir);
      }
      ok = true;
    } finally {
      if (!ok) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Renames {@code from} over {@code to} atomically (same directory). */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("atomic rename not supported for " + to + "; replica directories must be on a local POSIX file system", e);
    }
  }

  /**
   * Makes a directory's entries (creations, renames, deletions) durable. Windows cannot open a
   * directory for this; there a rename is as durable as the OS makes it and nothing is done.
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows")) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
