package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.Objects;

/**
 * A 0.3 snapshot: the LZ4-framed raw database file at WAL index {@code index}.
 *
 * @param generation 16 lower-case hex characters
 * @param index WAL index, 0 .. 2^32-1
 * @param createdAt object modification time
 * @param size compressed size in bytes
 * @param key store key of the object
 */
public record V3Snapshot(String generation, long index, Instant createdAt, long size, String key) {
  public V3Snapshot {
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(key, "key");
  }

  /** 0.3's position text form, {@code <generation>/<index:08x>}. */
  @Override
  public String toString() {
    return generation + "/" + V3Names.hex8(index) + " snapshot (" + createdAt + ")";
  }
}
