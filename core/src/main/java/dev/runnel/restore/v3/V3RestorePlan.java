package dev.runnel.restore.v3;

import java.util.List;
import java.util.Objects;

/**
 * What to restore: one snapshot, then the segments to replay in order (same generation, index
 * &ge; snapshot index, sorted by index then offset). Offsets are checked against decompressed
 * lengths only while restoring, since the listing does not know them.
 */
public record V3RestorePlan(V3Snapshot snapshot, List<V3Segment> segments) {
  public V3RestorePlan {
    Objects.requireNonNull(snapshot, "snapshot");
    segments = List.copyOf(segments);
  }

  public String generation() {
    return snapshot.generation();
  }
}
