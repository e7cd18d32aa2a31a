package dev.runnel.restore.v3;

import dev.runnel.restore.IntegrityCheck;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.jpountz.lz4.LZ4FrameInputStream;

/**
 * Materialises a {@link V3RestorePlan} as a database file (spec §10.3 steps 3-5, §7 conventions):
 * snapshot into {@code <out>.tmp}, each WAL index into {@code <out>.tmp-wal} applied by SQLite with
 * {@code PRAGMA wal_checkpoint(TRUNCATE)} exactly as Litestream does, then fsync, rename to
 * {@code <out>}, fsync the directory, optional integrity check.
 *
 * <p>SQLite is checked, not trusted: the WAL is validated frame by frame while copied, SQLite must
 * report checkpointing exactly the frames up to the last commit, and the resulting file size and
 * header page count must equal the last commit frame's database size. Any disagreement fails.
 *
 * <p>Memory is bounded (a copy buffer and one WAL frame) whatever the database size. On any
 * failure {@code <out>.tmp}, {@code <out>.tmp-wal} and {@code <out>.tmp-shm} are removed and an
 * existing {@code <out>} is untouched. Instances are stateless and thread-safe; concurrent
 * restores to the same output path are not supported.
 */
public final class V3Restorer {
  private static final byte[] SQLITE_MAGIC =
      "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int COPY_BUFFER = 64 * 1024;

  private final V3Store store;

  public V3Restorer(V3Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Lists the store, plans for {@code target} and restores. */
  public V3RestoreResult restore(V3RestoreTarget target, V3RestoreOptions options)
      throws IOException {
    refuseExisting(options);
    V3RestorePlan plan = V3RestorePlanner.plan(new V3Replica(store).listing(), target);
    return restore(plan, options);
  }

  /**
   * Restores a plan.
   *
   * @throws FileAlreadyExistsException if the output exists and {@code force} is off
   * @throws V3RestoreException for damaged objects, WAL gaps or a failed integrity check
   */
  public V3RestoreResult restore(V3RestorePlan plan, V3RestoreOptions options)
      throws IOException {
    refuseExisting(options);
    Path out = options.output().toAbsolutePath();
    Path tmp = sibling(out, ".tmp");
    Path tmpWal = sibling(out, ".tmp-wal");
    Path parent = out.getParent();
    Files.createDirectories(parent);
    // Leftovers of a crashed run: a stale -wal/-shm next to the fresh snapshot would be replayed.
    deleteTemps(tmp);
    V3RestoreResult result;
    try {
      int pageSize = writeSnapshot(plan.snapshot(), tmp);
      long frames = 0;
      for (List<V3Segment> index : byIndex(plan.segments())) {
        frames += applyIndex(index, tmp, tmpWal, pageSize);
      }
      long size = Files.size(tmp);
      fsync(tmp);
      if (options.force()) {
        Files.deleteIfExists(sibling(out, "-wal"));
        Files.deleteIfExists(sibling(out, "-shm"));
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      }
      fsyncDirectory(parent);
      result = new V3RestoreResult(out, plan, pageSize, size / pageSize, frames);
    } catch (Throwable t) {
      try {
        deleteTemps(tmp);
      } catch (IOException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
    integrityCheck(out, options.integrityCheck());
    return result;
  }

  private static void refuseExisting(V3RestoreOptions options) throws IOException {
    Path out = options.output();
    if (Files.isDirectory(out)) {
      throw new FileAlreadyExistsException(out.toString(), null, "output is a directory");
    }
    if (!options.force() && Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(out.toString(), null,
          "output exists; remove it or restore with force");
    }
  }

  /** Decompresses the snapshot into {@code tmp}, fsyncs it and returns the page size. */
  private int writeSnapshot(V3Snapshot snap, Path tmp) throws IOException {
    byte[] head = new byte[100];
    long total = 0;
    int headLen = 0;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        InputStream in = lz4(snap.key())) {
      byte[] buf = new byte[COPY_BUFFER];
      int n;
      while ((n = read(in, buf, snap.key())) > 0) {
        if (headLen < head.length) {
          int k = Math.min(n, head.length - headLen);
          System.arraycopy(buf, 0, head, headLen, k);
          headLen += k;
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        total += n;
      }
      ch.force(true);
    }
    if (headLen < head.length || !java.util.Arrays.equals(head, 0, 16, SQLITE_MAGIC, 0, 16)) {
      throw new V3CorruptReplicaException("snapshot " + snap.key()
          + " is not an SQLite database (" + total + " bytes decompressed)");
    }
    int raw = ((head[16] & 0xff) << 8) | (head[17] & 0xff);
    int pageSize = raw == 1 ? 65536 : raw;
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1 || total % pageSize != 0) {
      throw new V3CorruptReplicaException("snapshot " + snap.key() + ": page size " + pageSize
          + " does not fit its length " + total);
    }
    return pageSize;
  }

  /** Writes one WAL index to {@code tmpWal}, lets SQLite checkpoint it, verifies the result. */
  private long applyIndex(List<V3Segment> segs, Path tmp, Path tmpWal, int pageSize)
      throws IOException {
    V3Segment first = segs.get(0);
    V3WalValidator wal = new V3WalValidator(first.generation(), first.index(), pageSize);
    try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(FileChannel.open(
            tmpWal, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)), COPY_BUFFER)) {
      for (V3Segment seg : segs) {
        if (seg.offset() != wal.bytes()) {
          throw new V3MissingWalSegmentException(
              seg.generation(), seg.index(), wal.bytes(), seg.offset(), seg.key());
        }
        try (InputStream in = new CorruptionTranslator(lz4(seg.key()), seg.key())) {
          wal.copySegment(seg, in, out);
        }
      }
    }
    Files.deleteIfExists(sibling(tmp, "-shm"));
    long expectedFrames = wal.commitFrames();
    String where = "generation " + first.generation() + " index " + V3Names.hex8(first.index());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp);
        Statement st = c.createStatement()) {
      // PASSIVE first: its "log" column is the number of frames SQLite accepted from the WAL,
      // which TRUNCATE no longer reports (it resets the WAL). Backfilling then truncating
      // leaves the same file as TRUNCATE alone.
      long[] p = checkpoint(st, "PASSIVE");
      if (p[0] != 0 || p[1] != expectedFrames || p[2] != expectedFrames) {
        throw new V3CorruptReplicaException("SQLite did not apply the WAL of " + where
            + ": expected " + expectedFrames + " committed frames, checkpoint reported busy="
            + p[0] + " log=" + p[1] + " checkpointed=" + p[2]);
      }
      long[] t = checkpoint(st, "TRUNCATE");
      if (t[0] != 0) {
        throw new V3CorruptReplicaException("truncating checkpoint failed during restore of "
            + where + " (" + t[0] + "," + t[1] + "," + t[2] + ")");
      }
    } catch (SQLException e) {
      throw new V3CorruptReplicaException("SQLite could not apply the WAL of " + where + ": "
          + e.getMessage(), e);
    }
    Files.deleteIfExists(tmpWal);
    Files.deleteIfExists(sibling(tmp, "-shm"));
    if (wal.commitDbPages() > 0) {
      verifySize(tmp, pageSize, wal.commitDbPages(), where);
    }
    return expectedFrames;
  }

  private static long[] checkpoint(Statement st, String mode) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
      if (!rs.next()) {
        throw new SQLException("wal_checkpoint returned no row");
      }
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }

  private static void verifySize(Path db, int pageSize, long pages, String where)
      throws IOException {
    long size = Files.size(db);
    long headerPages;
    try (FileChannel ch = FileChannel.open(db, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4);
      ch.read(b, 28);
      headerPages = Integer.toUnsignedLong(b.flip().getInt());
    }
    if (size != pages * pageSize || headerPages != pages) {
      throw new V3CorruptReplicaException("after applying the WAL of " + where
          + " the database has " + size + " bytes and header page count " + headerPages
          + ", but the last commit frame says " + pages + " pages of " + pageSize + " bytes");
    }
  }

  private static void integrityCheck(Path out, IntegrityCheck check) throws IOException {
    try {
      check.run(out);
    } catch (IOException e) {
      Files.deleteIfExists(out);
      Files.deleteIfExists(sibling(out, "-wal"));
      Files.deleteIfExists(sibling(out, "-shm"));
      throw new V3IntegrityCheckException(e.getMessage() + " (output deleted)");
    }
  }

  private InputStream lz4(String key) throws IOException {
    InputStream raw = store.open(key);
    try {
      return new LZ4FrameInputStream(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw new V3CorruptReplicaException("cannot read LZ4 frame of " + key + ": " + e, e);
    }
  }

  private static int read(InputStream in, byte[] buf, String key) throws IOException {
    try {
      return in.read(buf);
    } catch (IOException | RuntimeException e) {
      throw new V3CorruptReplicaException("cannot decompress " + key + ": " + e, e);
    }
  }

  /** LZ4 errors surface as IOException or LZ4Exception (unchecked); report both as corrupt. */
  private static final class CorruptionTranslator extends FilterInputStream {
    private final String key;

    CorruptionTranslator(InputStream in, String key) {
      super(in);
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException | RuntimeException e) {
        throw new V3CorruptReplicaException("cannot decompress " + key + ": " + e, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        throw new V3CorruptReplicaException("cannot decompress " + key + ": " + e, e);
      }
    }
  }

  private static List<List<V3Segment>> byIndex(List<V3Segment> segs) {
    List<List<V3Segment>> out = new ArrayList<>();
    for (V3Segment s : segs) {
      if (out.isEmpty() || out.get(out.size() - 1).get(0).index() != s.index()) {
        out.add(new ArrayList<>());
      }
      out.get(out.size() - 1).add(s);
    }
    return out;
  }

  private static void deleteTemps(Path tmp) throws IOException {
    Files.deleteIfExists(tmp);
    for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
      Files.deleteIfExists(sibling(tmp, suffix));
    }
  }

  static Path sibling(Path p, String suffix) {
    return p.resolveSibling(p.getFileName() + suffix);
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open directories; the rename is still durable there.
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }
}
