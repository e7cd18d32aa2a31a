package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A 0.3 WAL segment: LZ4-framed raw WAL bytes of WAL index {@code index} starting at byte {@code
 * offset} of that WAL file (offset 0 starts with the 32-byte WAL header).
 *
 * @param generation 16 lower-case hex characters
 * @param index WAL index, 0 .. 2^32-1
 * @param offset byte offset inside the WAL file, &ge; 0
 * @param createdAt object modification time
 * @param size compressed size in bytes
 * @param key store key of the object
 */
public record V3Segment(
    String generation, long index, long offset, Instant createdAt, long size, String key) {

  /** Replay order inside one generation: by index, then offset. */
  public static final Comparator<V3Segment> BY_POSITION =
      Comparator.comparingLong(V3Segment::index).thenComparingLong(V3Segment::offset);

  public V3Segment {
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(key, "key");
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
  }

  /** 0.3's position text form, {@code <generation>/<index:08x>:<offset:016x>}. */
  public String position() {
    return generation + "/" + V3Names.hex8(index) + ":" + String.format("%016x", offset);
  }

  @Override
  public String toString() {
    return position() + " (" + createdAt + ")";
  }
}
