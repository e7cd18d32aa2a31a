package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the files a restore merges, exactly as Litestream 0.5's {@code CalcRestorePlan}
 * (replica-layout.md §6), so that Runnel and Litestream restore the same state from one replica:
 *
 * <ol>
 *   <li>Snapshot: the last level-9 file (filename order) allowed by the target.</li>
 *   <li>One cursor per level 8..0 scans its level in filename order while
 *       {@code MinTXID ≤ currentMax + 1} and keeps its best allowed file with
 *       {@code MaxTXID > currentMax}.</li>
 *   <li>The best candidate over all cursors (larger MaxTXID, then smaller MinTXID, then higher
 *       level, then earlier CreatedAt) is appended; repeat until none is left or the txid is
 *       reached.</li>
 *   <li>Latest only: an unconsumed file starting after {@code currentMax + 1} is a gap.</li>
 *   <li>An empty plan, or one short of the txid, matches nothing.</li>
 * </ol>
 *
 * A target allows a file if {@code MaxTXID ≤ txid} (txid targets, inclusive) or
 * {@code CreatedAt < time} (time targets, strictly exclusive). Beyond Litestream, the plan must
 * start at TxId 1, since a merge that does not start there is not a database; a level-9 file that
 * does not start at 1 therefore fails planning instead of failing the decode later.
 *
 * <p>Pure and stateless: thread-safe.
 */
public final class RestorePlanner {
  private RestorePlanner() {}

  /** Lists {@code client} (exact timestamps only for time targets) and plans. */
  public static RestorePlan plan(ReplicaClient client, RestoreTarget target) throws IOException {
    return plan(ReplicaListing.fetch(client, target instanceof RestoreTarget.AtTime), target);
  }

  /** Plans from files by level; messages call the replica "replica". */
  public static RestorePlan plan(Map<Integer, List<LtxFileInfo>> levels, RestoreTarget target)
      throws NoMatchingBackupException, ReplicaGapException {
    return plan(new ReplicaListing("replica", levels), target);
  }

  /**
   * Plans a restore.
   *
   * @throws NoMatchingBackupException if no files reach the target
   * @throws ReplicaGapException if a latest restore finds a hole in the TxId sequence, or the
   *     chosen files do not start at TxId 1
   */
  public static RestorePlan plan(ReplicaListing listing, RestoreTarget target)
      throws NoMatchingBackupException, ReplicaGapException {
    Objects.requireNonNull(target, "target");
    Constraint c = Constraint.of(target);
    List<LtxFileInfo> plan = new ArrayList<>();

    LtxFileInfo snapshot = null;
    for (LtxFileInfo f : listing.level(LtxFileInfo.SNAPSHOT_LEVEL)) {
      if (c.allows(f)) {
        snapshot = f; // the last allowed one wins: files are in filename order
      }
    }
    TxId currentMax = TxId.ZERO;
    if (snapshot != null) {
      plan.add(snapshot);
      currentMax = snapshot.maxTxId();
    }

    if (!c.reached(currentMax)) {
      List<Cursor> cursors = new ArrayList<>();
      for (int level = LtxFileInfo.SNAPSHOT_LEVEL - 1; level >= 0; level--) {
        cursors.add(new Cursor(listing.level(level)));
      }
      while (true) {
        Cursor best = null;
        for (Cursor cursor : cursors) {
          cursor.refresh(currentMax, c);
          if (cursor.candidate != null && (best == null || better(cursor.candidate, best.candidate))) {
            best = cursor;
          }
        }
        if (best == null) {
          break;
        }
        plan.add(best.candidate);
        currentMax = best.candidate.maxTxId();
        best.candidate = null;
        if (c.reached(currentMax)) {
          break;
        }
      }

      if (!plan.isEmpty() && target instanceof RestoreTarget.Latest) {
        for (Cursor cursor : cursors) {
          LtxFileInfo next = cursor.peek();
          if (next != null && !startsBy(next.minTxId(), currentMax)) {
            throw new ReplicaGapException(listing.replica(), currentMax, next);
          }
        }
      }
    }

    if (plan.isEmpty() || (c.txId != null && currentMax.isBefore(c.txId))) {
      throw new NoMatchingBackupException(listing.replica(), target, currentMax);
    }
    if (!plan.get(0).minTxId().equals(TxId.ONE)) {
      throw new ReplicaGapException(listing.replica(), TxId.ZERO, plan.get(0));
    }
    return new RestorePlan(plan, currentMax);
  }

  /** Whether a file starting at {@code min} continues a sequence ending at {@code max}: min ≤ max+1. */
  static boolean startsBy(TxId min, TxId max) {
    // Unsigned, and written to avoid max+1 overflowing at 2^64-1.
    return min.compareTo(max) <= 0 || min.value() == max.value() + 1;
  }

  /** Litestream's {@code restoreCandidateBetter}: is {@code a} preferred over {@code b}? */
  static boolean better(LtxFileInfo a, LtxFileInfo b) {
    int c = a.maxTxId().compareTo(b.maxTxId());
    if (c != 0) {
      return c > 0;
    }
    c = a.minTxId().compareTo(b.minTxId());
    if (c != 0) {
      return c < 0;
    }
    if (a.level() != b.level()) {
      return a.level() > b.level();
    }
    return a.createdAt().isBefore(b.createdAt());
  }

  /** The per-file filter a target imposes. */
  private record Constraint(TxId txId, Instant before) {
    static Constraint of(RestoreTarget t) {
      return switch (t) {
        case RestoreTarget.Latest l -> new Constraint(null, null);
        case RestoreTarget.AtTxId a -> new Constraint(a.txId(), null);
        case RestoreTarget.AtTime a -> new Constraint(null, a.time());
      };
    }

    boolean allows(LtxFileInfo f) {
      return (txId == null || f.maxTxId().compareTo(txId) <= 0)
          && (before == null || f.createdAt().isBefore(before));
    }

    /** Planning stops once a txid target is reached; other targets go as far as files allow. */
    boolean reached(TxId currentMax) {
      return txId != null && currentMax.compareTo(txId) >= 0;
    }
  }

  /**
   * One level's files, consumed in filename order. Mirrors Litestream's restoreLevelCursor: files
   * are consumed once they start within reach, and the best allowed one stays as the candidate
   * until it is chosen or overtaken by currentMax.
   */
  private static final class Cursor {
    private final List<LtxFileInfo> files;
    private int next;
    LtxFileInfo candidate;

    Cursor(List<LtxFileInfo> files) {
      this.files = files;
    }

    void refresh(TxId currentMax, Constraint c) {
      if (candidate != null && candidate.maxTxId().compareTo(currentMax) <= 0) {
        candidate = null;
      }
      while (next < files.size()) {
        LtxFileInfo f = files.get(next);
        if (!startsBy(f.minTxId(), currentMax)) {
          return;
        }
        next++;
        if (f.maxTxId().compareTo(currentMax) <= 0 || !c.allows(f)) {
          continue;
        }
        if (candidate == null || better(f, candidate)) {
          candidate = f;
        }
      }
    }

    LtxFileInfo peek() {
      return next < files.size() ? files.get(next) : null;
    }
  }
}
