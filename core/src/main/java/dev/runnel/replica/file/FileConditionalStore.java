package dev.runnel.replica.file;

import dev.runnel.replica.ConditionalStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ConditionalStore} on a local directory: object {@code name} is the file
 * {@code <root>/<name>}, next to {@code <root>/ltx/}.
 *
 * <p><b>Scope of atomicity.</b> Correct among threads and among processes <em>on one host</em>
 * that share the directory and use this class: every mutation runs under a JVM-wide lock per root
 * plus an exclusive {@link FileChannel#lock()} on {@code <root>/.runnel-objects.lock} (a separate
 * file, never the database; it is never deleted, since deleting a lock file breaks locking). Both
 * are needed: {@code FileChannel} locks are held per process, so threads of one JVM must be
 * serialised by the in-JVM lock first. Network file systems whose {@code fcntl} locks are
 * unreliable (some NFS setups) void the guarantee.
 *
 * <p>Objects are replaced by rename, so {@link #read} needs no lock and always sees one whole
 * version. The etag is a hash of the content (like S3's ETag for single-part uploads).
 */
final class FileConditionalStore implements ConditionalStore {
  static final String LOCK_FILE = ".runnel-objects.lock";

  /** One in-JVM lock per root, shared by every client of that root in this JVM. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path root;

  FileConditionalStore(Path root) {
    this.root = root;
  }

  @Override
  public Optional<Versioned> read(String name) throws IOException {
    Path p = path(name);
    try {
      byte[] data = Files.readAllBytes(p);
      return Optional.of(new Versioned(data, etag(data)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<String> tryCreate(String name, byte[] data) throws IOException {
    Objects.requireNonNull(data, "data");
    Path target = path(name);
    boolean created = locked(() -> {
      if (Files.exists(target)) {
        return false;
      }
      Path tmp = writeTemp(name, data);
      try {
        // link(2) fails if the target exists, so even a writer that bypasses the lock cannot be
        // overwritten. Where hard links are unsupported the lock alone makes check-then-move safe.
        try {
          Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
          return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
          if (e instanceof FileSystemException && Files.exists(target)) {
            return false;
          }
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      dev.runnel.io.Durable.fsyncDirectory(root);
      return true;
    });
    return created ? Optional.of(etag(data)) : Optional.empty();
  }

  @Override
  public Optional<String> tryReplace(String name, byte[] data, String etag) throws IOException {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(etag, "etag");
    Path target = path(name);
    boolean replaced = locked(() -> {
      Optional<Versioned> current = read(name);
      if (current.isEmpty() || !current.get().etag().equals(etag)) {
        return false;
      }
      Path tmp = writeTemp(name, data);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      dev.runnel.io.Durable.fsyncDirectory(root);
      return true;
    });
    return replaced ? Optional.of(etag(data)) : Optional.empty();
  }

  @Override
  public boolean deleteIfUnchanged(String name, String etag) throws IOException {
    Objects.requireNonNull(etag, "etag");
    Path target = path(name);
    return locked(() -> {
      Optional<Versioned> current = read(name);
      if (current.isEmpty() || !current.get().etag().equals(etag)) {
        return false;
      }
      Files.delete(target);
      dev.runnel.io.Durable.fsyncDirectory(root);
      return true;
    });
  }

  private Path path(String name) {
    return root.resolve(ConditionalStore.checkName(name));
  }

  /** Writes and fsyncs a dot-prefixed temp file, which no valid object name can collide with. */
  private Path writeTemp(String name, byte[] data) throws IOException {
    Path tmp = root.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private interface Action {
    boolean run() throws IOException;
  }

  private boolean locked(Action action) throws IOException {
    Files.createDirectories(root);
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(canonical(root), k -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel ch = FileChannel.open(root.resolve(LOCK_FILE),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = ch.lock(); // blocks until other processes release it
      try {
        return action.run();
      } finally {
        lock.release();
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /** The key for the in-JVM lock: symlinked or differently spelled roots must share one lock. */
  private static Path canonical(Path dir) throws IOException {
    return dir.toRealPath();
  }

  static String etag(byte[] data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(data);
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is required of every JVM", e);
    }
  }
}
