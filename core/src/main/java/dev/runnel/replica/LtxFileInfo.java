package dev.runnel.replica;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import java.time.Instant;
import java.util.Objects;

/**
 * One LTX file in a replica.
 *
 * @param level     compaction level: 0 per-sync files, 1..8 compactions, 9 snapshots
 * @param name      the file's TxId range
 * @param size      size in bytes
 * @param createdAt the file's timestamp: the LTX header timestamp where the backend stores it
 *                  (file mtime, S3 {@code litestream-timestamp} metadata), otherwise upload time
 */
public record LtxFileInfo(int level, LtxFileName name, long size, Instant createdAt) {
  public static final int SNAPSHOT_LEVEL = 9;
  public static final int MAX_LEVEL = 9;

  public LtxFileInfo {
    checkLevel(level);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
  }

  public TxId minTxId() {
    return name.min();
  }

  public TxId maxTxId() {
    return name.max();
  }

  public static void checkLevel(int level) {
    if (level < 0 || level > MAX_LEVEL) {
      throw new IllegalArgumentException("invalid level " + level + ": expected 0..9");
    }
  }

  @Override
  public String toString() {
    return "L" + level + "/" + name;
  }
}
