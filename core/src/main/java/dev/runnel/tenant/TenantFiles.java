package dev.runnel.tenant;

import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** The manager's cache directory: its lock, leftover cleanup, per-tenant disk use and deletion. */
final class TenantFiles {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());
  static final String LOCK_FILE = ".runnel-tenants.lock";

  private TenantFiles() {}

  /**
   * Creates {@code cacheDir} and locks it for this manager; release with
   * {@link #unlock(FileLock)}.
   *
   * @throws IllegalStateException if another manager (of this or another process) holds it
   */
  static FileLock lockCacheDirectory(Path cacheDir) throws IOException {
    Files.createDirectories(cacheDir);
    FileChannel ch = FileChannel.open(cacheDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException("cache directory " + cacheDir + " is in use by another TenantDatabases");
    }
    return lock;
  }

  static void unlock(FileLock lock) throws IOException {
    try {
      lock.release();
    } finally {
      lock.channel().close();
    }
  }

  static void deleteLeftovers(Path cacheDir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p) && TenantIds.isValid(p.getFileName().toString())) {
          LOG.log(Level.INFO, "runnel-tenant [{0}] deleting leftover cache directory {1}", p.getFileName(), p);
          deleteTree(p);
        }
      }
    }
  }

  static long measure(Tenant t) {
    long total = 0;
    try (Stream<Path> s = Files.walk(t.dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        try {
          if (Files.isRegularFile(p)) {
            total += Files.size(p);
          }
        } catch (IOException e) {
          // vanished meanwhile
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return t.diskBytes;
    }
    return total;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (NoSuchFileException ignored) {
          // gone already
        }
      }
    }
  }

  static void closeQuietly(ReplicaClient c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // Closing for good.
    }
  }
}
