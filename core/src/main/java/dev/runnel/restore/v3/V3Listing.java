package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * An immutable snapshot of what a 0.3 replica holds: every parsed snapshot and WAL segment of every
 * generation. Snapshots are sorted by (generation, index), segments by (generation, index,
 * offset). Immutable, hence thread-safe.
 */
public record V3Listing(List<V3Snapshot> snapshots, List<V3Segment> segments) {

  private static final Comparator<V3Snapshot> SNAPSHOT_ORDER =
      Comparator.comparing(V3Snapshot::generation).thenComparingLong(V3Snapshot::index);
  private static final Comparator<V3Segment> SEGMENT_ORDER =
      Comparator.comparing(V3Segment::generation).thenComparing(V3Segment.BY_POSITION);

  public V3Listing {
    snapshots = snapshots.stream().sorted(SNAPSHOT_ORDER).toList();
    segments = segments.stream().sorted(SEGMENT_ORDER).toList();
  }

  /** Parses raw store objects; keys that are not 0.3 snapshots or segments are skipped. */
  public static V3Listing of(List<V3Object> objects) {
    List<V3Snapshot> snaps = new ArrayList<>();
    List<V3Segment> segs = new ArrayList<>();
    for (V3Object o : objects) {
      V3Names.parse(o).ifPresent(p -> {
        switch (p) {
          case V3Names.ParsedSnapshot s -> snaps.add(s.snapshot());
          case V3Names.ParsedSegment s -> segs.add(s.segment());
        }
      });
    }
    return new V3Listing(snaps, segs);
  }

  /** True if the replica holds at least one 0.3 snapshot or WAL segment. */
  public boolean isEmpty() {
    return snapshots.isEmpty() && segments.isEmpty();
  }

  /** Generations that have at least one snapshot or segment, in name order. */
  public SortedSet<String> generations() {
    TreeSet<String> g = new TreeSet<>();
    snapshots.forEach(s -> g.add(s.generation()));
    segments.forEach(s -> g.add(s.generation()));
    return g;
  }

  /** Snapshots of one generation, by index. */
  public List<V3Snapshot> snapshots(String generation) {
    return snapshots.stream().filter(s -> s.generation().equals(generation)).toList();
  }

  /** WAL segments of one generation, by (index, offset). */
  public List<V3Segment> segments(String generation) {
    return segments.stream().filter(s -> s.generation().equals(generation)).toList();
  }

  /**
   * The newest modification time of any snapshot or segment, in any generation. Spec §10.2 uses
   * it to decide between 0.3 and LTX data for a restore without a timestamp.
   */
  public Optional<Instant> latestTimestamp() {
    return Stream.concat(
            snapshots.stream().map(V3Snapshot::createdAt),
            segments.stream().map(V3Segment::createdAt))
        .max(Comparator.naturalOrder());
  }

  /**
   * The modification time of the newest snapshot whose time is at or before {@code timestamp}
   * (inclusive), in any generation. Spec §10.2 compares it with the best LTX snapshot.
   */
  public Optional<Instant> bestSnapshotTimeAtOrBefore(Instant timestamp) {
    return snapshots.stream()
        .map(V3Snapshot::createdAt)
        .filter(t -> !t.isAfter(timestamp))
        .max(Comparator.naturalOrder());
  }
}
