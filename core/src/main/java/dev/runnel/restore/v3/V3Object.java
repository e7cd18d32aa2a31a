package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored object of a 0.3 replica, as a {@link V3Store} lists it.
 *
 * @param key path relative to the replica root, {@code /}-separated, e.g. {@code
 *     generations/0123456789abcdef/wal/00000000_00000000.wal.lz4}
 * @param size stored (compressed) size in bytes
 * @param modified modification time: file mtime, or S3 {@code LastModified}
 */
public record V3Object(String key, long size, Instant modified) {
  public V3Object {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(modified, "modified");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + key);
    }
  }
}
