package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Chooses the snapshot and WAL segments for a 0.3 restore (spec §10.3 steps 1, 2 and the
 * structural part of step 4). A pure function of the listing; stateless and thread-safe.
 *
 * <p>Beyond upstream, the planner refuses to guess when modification times cannot decide: if the
 * newest qualifying snapshots of different generations share a time, or another generation has
 * objects newer than the chosen snapshot (within the target time), it throws {@link
 * V3AmbiguousTimestampException} instead of restoring an arbitrary generation. Upstream sorts by
 * time with an unstable sort there, so its answer is arbitrary.
 */
public final class V3RestorePlanner {
  private V3RestorePlanner() {}

  /**
   * Plans a restore.
   *
   * @throws V3NoSnapshotsException if no snapshot qualifies
   * @throws V3AmbiguousTimestampException if modification times do not decide the generation
   * @throws V3MissingWalIndexException if the WAL skips an index (or, for {@link
   *     V3RestoreTarget.GenerationIndex}, ends before the requested index)
   * @throws V3MissingWalSegmentException if an index does not start at offset 0
   * @throws V3CorruptReplicaException if two segment names denote the same position
   */
  public static V3RestorePlan plan(V3Listing listing, V3RestoreTarget target)
      throws V3RestoreException {
    return switch (target) {
      case V3RestoreTarget.Latest l -> {
        V3Snapshot snap = newestByTime(listing.snapshots(), "the replica has no snapshots"
            + (listing.isEmpty() ? " (no 0.3 objects at all)" : ""));
        requireUnambiguous(listing, snap, null);
        yield build(snap, listing.segments(snap.generation()).stream()
            .filter(s -> s.index() >= snap.index()), OptionalLong.empty());
      }
      case V3RestoreTarget.AtTime t -> {
        Instant ts = t.timestamp();
        List<V3Snapshot> eligible = listing.snapshots().stream()
            .filter(s -> !s.createdAt().isAfter(ts)).toList();
        V3Snapshot snap = newestByTime(eligible, listing.snapshots().isEmpty()
            ? "the replica has no snapshots"
            : "no snapshot at or before " + ts + " (oldest snapshot is "
                + listing.snapshots().stream().map(V3Snapshot::createdAt)
                    .min(Comparator.naturalOrder()).orElseThrow() + ")");
        requireUnambiguous(listing, snap, ts);
        yield build(snap, listing.segments(snap.generation()).stream()
            .filter(s -> s.index() >= snap.index() && !s.createdAt().isAfter(ts)),
            OptionalLong.empty());
      }
      case V3RestoreTarget.Generation g -> {
        V3Snapshot snap = listing.snapshots(g.generation()).stream()
            .max(Comparator.comparingLong(V3Snapshot::index))
            .orElseThrow(() -> new V3NoSnapshotsException(
                "generation " + g.generation() + " has no snapshots"));
        yield build(snap, listing.segments(g.generation()).stream()
            .filter(s -> s.index() >= snap.index()), OptionalLong.empty());
      }
      case V3RestoreTarget.GenerationIndex gi -> {
        V3Snapshot snap = listing.snapshots(gi.generation()).stream()
            .filter(s -> s.index() <= gi.index())
            .max(Comparator.comparingLong(V3Snapshot::index))
            .orElseThrow(() -> new V3NoSnapshotsException("generation " + gi.generation()
                + " has no snapshot at or below index " + V3Names.hex8(gi.index())));
        yield build(snap, listing.segments(gi.generation()).stream()
            .filter(s -> s.index() >= snap.index() && s.index() <= gi.index()),
            OptionalLong.of(gi.index()));
      }
    };
  }

  /** Newest by time; among equal times the highest index of one generation, never two gens. */
  private static V3Snapshot newestByTime(List<V3Snapshot> snaps, String noneMessage)
      throws V3RestoreException {
    if (snaps.isEmpty()) {
      throw new V3NoSnapshotsException(noneMessage);
    }
    Instant newest = snaps.stream().map(V3Snapshot::createdAt).max(Comparator.naturalOrder())
        .orElseThrow();
    List<V3Snapshot> top = snaps.stream().filter(s -> s.createdAt().equals(newest)).toList();
    Set<String> gens = new HashSet<>();
    top.forEach(s -> gens.add(s.generation()));
    if (gens.size() > 1) {
      throw new V3AmbiguousTimestampException("cannot choose a generation: snapshots of "
          + "generations " + new java.util.TreeSet<>(gens) + " all have the modification time "
          + newest + " (were the replica files copied without preserving mtimes?); "
          + "restore a specific generation instead");
    }
    return top.stream().max(Comparator.comparingLong(V3Snapshot::index)).orElseThrow();
  }

  /**
   * In a replica written by 0.3, generations follow each other in time: every object of an older
   * generation predates the first snapshot of the next. An object of another generation that is
   * newer than the chosen snapshot (and not beyond the target time) contradicts that, so the
   * times are not trustworthy and the choice of generation could be wrong.
   */
  private static void requireUnambiguous(V3Listing listing, V3Snapshot chosen, Instant limit)
      throws V3AmbiguousTimestampException {
    String gen = chosen.generation();
    var conflict = Stream.concat(
            listing.snapshots().stream()
                .filter(s -> !s.generation().equals(gen))
                .map(s -> new Object[] {s.key(), s.createdAt()}),
            listing.segments().stream()
                .filter(s -> !s.generation().equals(gen))
                .map(s -> new Object[] {s.key(), s.createdAt()}))
        .filter(o -> ((Instant) o[1]).isAfter(chosen.createdAt())
            && (limit == null || !((Instant) o[1]).isAfter(limit)))
        .findFirst();
    if (conflict.isPresent()) {
      throw new V3AmbiguousTimestampException("inconsistent modification times: chose snapshot "
          + chosen.key() + " (" + chosen.createdAt() + ") but " + conflict.get()[0]
          + " of another generation is newer (" + conflict.get()[1] + "); "
          + "restore a specific generation instead");
    }
  }

  private static V3RestorePlan build(V3Snapshot snap, Stream<V3Segment> candidates,
      OptionalLong requiredLastIndex) throws V3RestoreException {
    List<V3Segment> segs = new ArrayList<>(candidates.sorted(V3Segment.BY_POSITION).toList());
    String gen = snap.generation();
    long expectedIndex = snap.index();
    V3Segment prev = null;
    for (V3Segment s : segs) {
      if (prev == null || s.index() != prev.index()) {
        if (s.index() != expectedIndex) {
          throw new V3MissingWalIndexException(gen, expectedIndex, OptionalLong.of(s.index()));
        }
        if (s.offset() != 0) {
          throw new V3MissingWalSegmentException(gen, s.index(), 0, s.offset(), s.key());
        }
        expectedIndex = s.index() + 1;
      } else if (s.offset() == prev.offset()) {
        // Possible with > 8-digit names: 00004080 and 000004080 denote the same position.
        throw new V3CorruptReplicaException("two WAL segments at position " + s.position()
            + ": " + prev.key() + " and " + s.key());
      }
      prev = s;
    }
    if (requiredLastIndex.isPresent()) {
      long want = requiredLastIndex.getAsLong();
      long last = prev == null ? snap.index() : prev.index();
      if (last != want) {
        throw new V3MissingWalIndexException(gen, last == snap.index() && prev == null
            ? snap.index() : last + 1, OptionalLong.empty());
      }
    }
    return new V3RestorePlan(snap, segs);
  }
}
