package dev.runnel.replica.file;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A replica in a local directory, in Litestream's exact file layout:
 * {@code <root>/ltx/<level in decimal>/<min>-<max>.ltx} (replica-layout.md §1). A directory
 * written by Litestream 0.5 can be read by this client and vice versa.
 *
 * <ul>
 *   <li>{@link #write} stores a file atomically: unique temp file {@code <final>.<random>.tmp},
 *       fsync, rename over the final name, fsync of the directory. The file's mtime and atime are
 *       the LTX header timestamp (milliseconds), which {@link #list} reports as createdAt.</li>
 *   <li>Listings skip names that are not LTX file names (temp files, upper-case hex, junk).</li>
 *   <li>{@link #conditionalStore()} keeps small objects directly under {@code <root>/}; see
 *       {@link FileConditionalStore} for its cross-process guarantee.</li>
 *   <li>Thread-safe; holds no open resources, so {@link #close} only marks the client closed.
 *       Several clients, in one or several processes, may share a root.</li>
 * </ul>
 *
 * <p>Unlike Litestream, directory and file modes are not copied from the database (this client
 * does not know the database); they follow the process umask.
 */
public final class FileReplicaClient implements ReplicaClient {
  static final String LTX_DIR = "ltx";

  private final Path root;
  private final FileConditionalStore conditional;
  private volatile boolean closed;

  private FileReplicaClient(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.conditional = new FileConditionalStore(this.root);
  }

  /** A client for the replica directory {@code root} (need not exist until {@link #init()}). */
  public static FileReplicaClient create(Path root) {
    return new FileReplicaClient(Objects.requireNonNull(root, "root"));
  }

  /** The absolute replica root. */
  public Path root() {
    return root;
  }

  /** The directory of one level: {@code <root>/ltx/<level>}. */
  public Path levelDir(int level) {
    LtxFileInfo.checkLevel(level);
    return root.resolve(LTX_DIR).resolve(Integer.toString(level));
  }

  /** The path of one LTX file. */
  public Path filePath(int level, TxId min, TxId max) {
    return levelDir(level).resolve(LtxFileName.of(min, max).toString());
  }

  @Override
  public String type() {
    return "file";
  }

  @Override
  public String describe() {
    return "file://" + root;
  }

  @Override
  public void init() throws IOException {
    Files.createDirectories(root);
  }

  /** Level by level on the caller's thread: local directory reads are cheaper than a thread each. */
  @Override
  public java.util.Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    java.util.Map<Integer, List<LtxFileInfo>> out = new java.util.TreeMap<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      out.put(level, list(level));
    }
    return out;
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    Objects.requireNonNull(seek, "seek");
    Path dir = levelDir(level);
    List<LtxFileInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        Optional<LtxFileName> name = LtxFileName.parse(p.getFileName().toString());
        if (name.isEmpty() || name.get().min().isBefore(seek)) {
          continue;
        }
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue; // deleted between readdir and stat: it is simply gone
        }
        if (!attrs.isRegularFile()) {
          continue;
        }
        out.add(new LtxFileInfo(level, name.get(), attrs.size(), attrs.lastModifiedTime().toInstant()));
      }
    } catch (NoSuchFileException e) {
      return List.of(); // a level nobody wrote yet
    }
    out.sort(Comparator.comparing(LtxFileInfo::name));
    return out;
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    if (length < -1) {
      throw new IllegalArgumentException("invalid length " + length + ": expected >= 0 or -1");
    }
    FileChannel ch = FileChannel.open(filePath(level, min, max), StandardOpenOption.READ);
    try {
      ch.position(offset);
      InputStream in = Channels.newInputStream(ch);
      return length < 0 ? in : new BoundedInputStream(in, length);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    Objects.requireNonNull(data, "data");
    Path target = filePath(level, min, max);
    byte[] header = new byte[dev.runnel.ltx.LtxHeader.SIZE];
    // Validate before touching the disk so a bad file never leaves even a temp file behind.
    dev.runnel.ltx.LtxHeader h = dev.runnel.replica.LtxHeaderCheck.read(data, header, min, max, target.toString());
    Path dir = target.getParent();
    Files.createDirectories(dir);
    // A unique temp name lets concurrent writers of the same file proceed without clobbering each
    // other's half-written data; the last rename wins with a whole file. It ends in ".tmp" so that
    // listings (ours and Litestream's) skip it.
    Path tmp = dir.resolve(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    FileTime stamp = FileTime.fromMillis(h.timestamp());
    long size;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(ch);
        out.write(header);
        size = header.length + data.transferTo(out);
        // Stamp the times before the rename (the spec does it after): rename keeps them, and a
        // concurrent listing then never sees the file with the wrong createdAt. force(true) below
        // makes the new times durable together with the data.
        Files.getFileAttributeView(tmp, BasicFileAttributeView.class).setTimes(stamp, stamp, null);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (Throwable t) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        t.addSuppressed(suppressed);
      }
      throw t;
    }
    dev.runnel.io.Durable.fsyncDirectory(dir);
    return new LtxFileInfo(level, LtxFileName.of(min, max), size, stamp.toInstant());
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    for (LtxFileInfo f : files) {
      Files.deleteIfExists(filePath(f.level(), f.minTxId(), f.maxTxId()));
    }
  }

  /** Removes {@code <root>/ltx} recursively; other entries of the root are kept. */
  @Override
  public void deleteAll() throws IOException {
    Path ltx = root.resolve(LTX_DIR);
    if (!Files.exists(ltx)) {
      return;
    }
    Files.walkFileTree(ltx, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return Optional.of(conditional);
  }

  /** Whether {@link #close} was called. The client keeps working: it holds no resources. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "FileReplicaClient[" + describe() + "]";
  }

  /** Limits a stream to a number of bytes without reading past them. */
  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      super(in);
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, buf.length);
      if (remaining <= 0) {
        return len == 0 ? 0 : -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(Math.min(n, remaining));
      remaining -= s;
      return s;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
