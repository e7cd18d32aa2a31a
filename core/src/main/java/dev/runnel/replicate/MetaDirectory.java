package dev.runnel.replicate;

import dev.runnel.io.Durable;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The local state of one replicated database: {@code .<db name>-litestream/ltx/0/*.ltx} beside
 * the database, the same directory and layout Litestream 0.5 uses, so either tool can pick up the
 * other's state. Runnel adds one file, {@code runnel.state}, written only when the database file is
 * known to equal a replicated TxId exactly (after a clean shutdown or a restore).
 *
 * <p>Not thread-safe; the owning {@link ReplicatedDatabase} serializes access.
 */
final class MetaDirectory {
  private static final String STATE_FILE = "runnel.state";

  private final Path root;
  private final Path l0Dir;

  MetaDirectory(Path root) {
    this.root = root;
    this.l0Dir = root.resolve("ltx").resolve("0");
  }

  /** Litestream's default location: {@code <dir>/.<name>-litestream}. */
  static Path defaultFor(Path db) {
    Path abs = db.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + "-litestream");
  }

  Path root() {
    return root;
  }

  /** Creates the directories and removes temp files a crash may have left. */
  void init() throws IOException {
    Files.createDirectories(l0Dir);
    for (Path dir : new Path[] {root, l0Dir}) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tmp")) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Local L0 files, sorted by TxId. */
  List<LtxFileName> listL0() throws IOException {
    List<LtxFileName> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(l0Dir)) {
      for (Path p : ds) {
        LtxFileName.parse(p.getFileName().toString()).ifPresent(out::add);
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    Collections.sort(out);
    return out;
  }

  Path l0Path(LtxFileName name) {
    return l0Dir.resolve(name.toString());
  }

  /**
   * Writes an L0 file atomically (temp, rename) but without fsync: the local copy is a cache of
   * what goes to the replica, which is written durably. After a power loss a local file may come
   * back damaged; {@link ReplicatedDatabase#open} verifies pending local files and drops damaged
   * ones, and the next sync is full-page. Skipping two fsyncs per sync halves the fsync chain
   * between a commit and the replica.
   */
  Path writeL0(LtxFileName name, Durable.Writer writer) throws IOException {
    Path p = l0Path(name);
    Durable.write(p, writer, false);
    return p;
  }

  void deleteL0(LtxFileName name) throws IOException {
    Files.deleteIfExists(l0Path(name));
  }

  void deleteAllL0() throws IOException {
    for (LtxFileName n : listL0()) {
      deleteL0(n);
    }
    Durable.fsyncDirectory(l0Dir);
  }

  /**
   * Records that the database file, as it is now, holds exactly the state of {@code txId} and has
   * no WAL content. Identified by size, mtime and file key so any later change invalidates it.
   */
  void writeCleanState(TxId txId, Path db) throws IOException {
    BasicFileAttributes a = Files.readAttributes(db, BasicFileAttributes.class);
    Properties p = new Properties();
    p.setProperty("txid", txId.toString());
    p.setProperty("size", Long.toString(a.size()));
    p.setProperty("mtime", a.lastModifiedTime().toInstant().toString());
    p.setProperty("key", String.valueOf(a.fileKey()));
    Files.createDirectories(root);
    Durable.write(root.resolve(STATE_FILE), out -> p.store(out, "runnel clean state; deleted when replication starts"));
  }

  /**
   * Reads and removes the clean-state record; present only if it still matches {@code db} exactly.
   * One-shot on purpose: once replication runs again the file no longer describes the database.
   */
  Optional<TxId> takeCleanState(Path db) throws IOException {
    Path f = root.resolve(STATE_FILE);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newInputStream(f)) {
      p.load(in);
    } finally {
      Files.deleteIfExists(f);
    }
    if (!Files.exists(db)) {
      return Optional.empty();
    }
    BasicFileAttributes a = Files.readAttributes(db, BasicFileAttributes.class);
    boolean same = Long.toString(a.size()).equals(p.getProperty("size"))
        && a.lastModifiedTime().toInstant().toString().equals(p.getProperty("mtime"))
        && String.valueOf(a.fileKey()).equals(p.getProperty("key"));
    if (!same) {
      return Optional.empty();
    }
    try {
      return Optional.of(TxId.parse(p.getProperty("txid", "")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
