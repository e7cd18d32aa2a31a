package dev.runnel.replica;

import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Storage for one database's replica, in LTX terms: files named {@code <min>-<max>.ltx} grouped by
 * level (0 per-sync, 1..8 compactions, 9 snapshots). The byte stream of a file is identical on
 * every backend; only the layout of names differs (see each backend).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #list} returns the files of one level whose min TxId is &ge; {@code seek}, sorted by
 *       min TxId then max TxId (filename order). Names that are not LTX file names are skipped.
 *       A level that does not exist yet lists empty.</li>
 *   <li>{@link #write} makes a file visible whole or not at all: a reader never sees a partial
 *       file under an LTX name, even if the writer crashes. Writing an existing name replaces it.</li>
 *   <li>{@link #open} of a missing file throws {@link java.nio.file.NoSuchFileException}.</li>
 *   <li>{@link #delete} of missing files is not an error.</li>
 *   <li>{@link #init} is idempotent and cheap after the first call.</li>
 *   <li>Implementations are thread-safe; {@link #close} is idempotent.</li>
 * </ul>
 */
public interface ReplicaClient extends AutoCloseable {

  /** The backend type as Litestream names it: {@code file}, {@code s3}, {@code gs}. */
  String type();

  /** A human-readable location, e.g. the replica URL, for messages. Never contains secrets. */
  String describe();

  /** Prepares the backend (creates directories, checks the bucket). Idempotent. */
  void init() throws IOException;

  /**
   * Lists one level from {@code seek} (inclusive, by min TxId), sorted by filename.
   *
   * @param exactTimestamps when true, {@link LtxFileInfo#createdAt()} is the LTX header timestamp
   *     even where that costs an extra request per file (S3: a HEAD per object); when false the
   *     backend may return a cheaper approximation (S3: LastModified). Point-in-time restores pass
   *     true.
   */
  List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException;

  /** {@link #list(int, TxId, boolean)} from the first file, with cheap timestamps. */
  default List<LtxFileInfo> list(int level) throws IOException {
    return list(level, TxId.ZERO, false);
  }

  /**
   * The files of every level 0..{@link LtxFileInfo#MAX_LEVEL} with cheap timestamps, as
   * {@link #list(int)} of each level would give them (levels without files are absent or empty).
   * The default lists the levels concurrently, one request each on an object store; backends that
   * can list everything in fewer round trips (S3: one LIST of the replica's prefix) override it.
   */
  default java.util.Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return listEachLevel(this, false);
  }

  /**
   * Lists every level 0..{@link LtxFileInfo#MAX_LEVEL} of {@code client} with
   * {@link #list(int, TxId, boolean)}, the levels concurrently (on an object store each is a round
   * trip, and a restore waits for all of them). Every level is present in the result, possibly empty.
   */
  static java.util.Map<Integer, List<LtxFileInfo>> listEachLevel(ReplicaClient client, boolean exactTimestamps)
      throws IOException {
    java.util.Map<Integer, List<LtxFileInfo>> out = new java.util.TreeMap<>();
    List<java.util.concurrent.Future<List<LtxFileInfo>>> lists = new java.util.ArrayList<>();
    try (var ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        int l = level;
        lists.add(ex.submit(() -> client.list(l, TxId.ZERO, exactTimestamps)));
      }
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        out.put(level, lists.get(level).get());
      }
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("list " + client.describe() + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while listing " + client.describe());
    }
    return out;
  }

  /**
   * Opens a byte range of one file.
   *
   * A range reaching past the end is clipped: an offset at or past the end gives an empty stream.
   *
   * @param offset first byte, &ge; 0
   * @param length number of bytes, or -1 for "to the end"
   * @throws IllegalArgumentException if {@code offset < 0} or {@code length < -1}
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   */
  InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException;

  /** Opens a whole file. */
  default InputStream open(LtxFileInfo file) throws IOException {
    return open(file.level(), file.minTxId(), file.maxTxId(), 0, -1);
  }

  /**
   * Writes one file from {@code data}, which must be a complete LTX file whose header matches
   * {@code min}/{@code max}. The header timestamp becomes the file's {@code createdAt}. Visible
   * whole or not at all. The stream is read to its end but not closed.
   *
   * @return the stored file's info, as {@link #list} would report it
   * @throws InvalidLtxHeaderException if {@code data} does not start with a 100-byte LTX header
   *     whose MinTXID/MaxTXID equal {@code min}/{@code max}; nothing is stored
   */
  LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException;

  /** Deletes files; missing ones are ignored. */
  void delete(Collection<LtxFileInfo> files) throws IOException;

  /**
   * Deletes every LTX file of this replica (all levels). Objects of the {@link #conditionalStore()}
   * and files that are not LTX data are left alone.
   */
  void deleteAll() throws IOException;

  /**
   * The conditional small-object store kept next to this replica (used for leases), if the backend
   * offers one. The store shares the client's lifetime.
   */
  default Optional<ConditionalStore> conditionalStore() {
    return Optional.empty();
  }

  /** Releases resources. Idempotent. */
  @Override
  void close() throws IOException;
}
