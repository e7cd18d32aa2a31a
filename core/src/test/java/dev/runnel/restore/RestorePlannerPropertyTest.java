package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Random Litestream-like histories: contiguous L0 files, compactions of each level into the next
 * (L1..L3, the last input's timestamp), occasional extra overlapping compactions, snapshots at L9,
 * L0 retention of compacted files, and sometimes a lost L0 file that nothing bridges. For latest,
 * every txid and a sample of timestamps, the plan is checked against an independent oracle: a
 * shortest-path search over TxIds that, like Litestream, starts from the chosen snapshot. Since
 * the planner picks the farthest-reaching file at each step, it must use exactly as many files as
 * the oracle's minimum, and fail exactly when the oracle cannot reach the target.
 */
class RestorePlannerPropertyTest {
  private static final int SEEDS = 400;
  private static final long T0 = 1_700_000_000_000L;

  record History(List<LtxFileInfo> files, int n) {}

  static LtxFileInfo file(int level, long min, long max, long createdAtMillis) {
    return new LtxFileInfo(level, LtxFileName.of(TxId.of(min), TxId.of(max)), 100 + max - min,
        Instant.ofEpochMilli(createdAtMillis));
  }

  static long timeOf(long txid) {
    return T0 + txid * 1000;
  }

  static History generate(Random r) {
    int n = 1 + r.nextInt(150);
    List<List<LtxFileInfo>> levels = new ArrayList<>();
    List<LtxFileInfo> l0 = new ArrayList<>();
    for (long pos = 1; pos <= n; ) {
      long end = Math.min(n, pos + (r.nextInt(5) == 0 ? r.nextInt(3) : 0));
      l0.add(file(0, pos, end, timeOf(end)));
      pos = end + 1;
    }
    levels.add(l0);
    // Each level compacts consecutive runs of the level below; a tail may stay uncompacted.
    for (int level = 1; level <= 3; level++) {
      List<LtxFileInfo> src = levels.get(level - 1);
      List<LtxFileInfo> dst = new ArrayList<>();
      int i = 0;
      while (i < src.size()) {
        int run = 1 + r.nextInt(6);
        if (i + run > src.size()) {
          if (r.nextBoolean()) {
            break; // tail not compacted yet
          }
          run = src.size() - i;
        }
        LtxFileInfo first = src.get(i);
        LtxFileInfo last = src.get(i + run - 1);
        dst.add(file(level, first.minTxId().value(), last.maxTxId().value(), last.createdAt().toEpochMilli()));
        i += run;
      }
      levels.add(dst);
    }
    List<LtxFileInfo> all = new ArrayList<>();
    // L0 retention: drop some L0 files already covered by L1 (the newest L0 file is always kept).
    long l1Max = levels.get(1).isEmpty() ? 0 : levels.get(1).getLast().maxTxId().value();
    for (LtxFileInfo f : l0) {
      boolean covered = f.maxTxId().value() <= l1Max && f != l0.getLast();
      if (!(covered && r.nextInt(3) > 0)) {
        all.add(f);
      }
    }
    for (int level = 1; level <= 3; level++) {
      all.addAll(levels.get(level));
    }
    // Extra overlapping compactions anywhere (any range of txids is a valid file).
    for (int k = r.nextInt(4); k > 0; k--) {
      long a = 1 + r.nextInt(n);
      long b = a + r.nextInt((int) (n - a + 1));
      all.add(file(1 + r.nextInt(8), a, b, timeOf(b) + 1 + r.nextInt(500)));
    }
    // Snapshots at random points, created a little after their last txid.
    for (int k = r.nextInt(4); k > 0; k--) {
      long s = 1 + r.nextInt(n);
      LtxFileInfo snap = file(9, 1, s, timeOf(s) + r.nextInt(1500));
      if (all.stream().noneMatch(f -> f.level() == 9 && f.name().equals(snap.name()))) {
        all.add(snap);
      }
    }
    // Sometimes lose one L0 file: a gap unless a compaction or snapshot bridges it.
    // Half the time pick from the uncompacted tail (never its last file), where a loss is a gap
    // unless an extra compaction or snapshot happens to bridge it.
    if (r.nextInt(4) == 0) {
      List<LtxFileInfo> l0Left = all.stream().filter(f -> f.level() == 0).toList();
      List<LtxFileInfo> tail = l0Left.stream()
          .filter(f -> f.maxTxId().value() > l1Max && f != l0Left.getLast()).toList();
      List<LtxFileInfo> pool = !tail.isEmpty() && r.nextBoolean() ? tail : l0Left;
      all.remove(pool.get(r.nextInt(pool.size())));
    }
    return new History(all, n);
  }

  /** Minimum files from the Litestream-chosen start to each TxId (-1 if unreachable). */
  static int[] oracle(History h, Predicate<LtxFileInfo> allowed, long upTo) {
    LtxFileInfo snapshot = null;
    for (LtxFileInfo f : h.files()) {
      if (f.level() == 9 && f.maxTxId().value() <= upTo && allowed.test(f)
          && (snapshot == null || f.maxTxId().value() > snapshot.maxTxId().value())) {
        snapshot = f;
      }
    }
    int[] dist = new int[h.n() + 1];
    Arrays.fill(dist, -1);
    int start = snapshot == null ? 0 : (int) snapshot.maxTxId().value();
    dist[start] = snapshot == null ? 0 : 1;
    for (int cur = start; cur <= h.n(); cur++) {
      if (dist[cur] < 0) {
        continue;
      }
      for (LtxFileInfo f : h.files()) {
        long min = f.minTxId().value();
        long max = f.maxTxId().value();
        if (f.level() != 9 && allowed.test(f) && min <= cur + 1 && max > cur && max <= upTo
            && (dist[(int) max] < 0 || dist[(int) max] > dist[cur] + 1)) {
          dist[(int) max] = dist[cur] + 1;
        }
      }
    }
    return dist;
  }

  static int reach(int[] dist) {
    for (int i = dist.length - 1; i >= 0; i--) {
      if (dist[i] >= 0) {
        return i;
      }
    }
    return 0;
  }

  static void checkPlan(RestorePlan p, Predicate<LtxFileInfo> allowed, String ctx) {
    assertEquals(TxId.ONE, p.files().get(0).minTxId(), ctx + ": starts at 1");
    long cur = 0;
    for (LtxFileInfo f : p.files()) {
      assertTrue(f.minTxId().value() <= cur + 1 && f.maxTxId().value() > cur, ctx + ": contiguous at " + f);
      assertTrue(allowed.test(f), ctx + ": " + f + " allowed");
      cur = f.maxTxId().value();
    }
    assertEquals(TxId.of(cur), p.maxTxId(), ctx);
  }

  @Test
  void plan_randomHistories_matchShortestPathOracle() throws Exception {
    int plans = 0;
    int gaps = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random r = new Random(seed);
      History h = generate(r);
      ReplicaListing listing = ReplicaListing.of("seed-" + seed, h.files());
      String ctx = "seed " + seed;

      // Latest: succeed iff the highest TxId of any file is reachable.
      long top = h.files().stream().mapToLong(f -> f.maxTxId().value()).max().orElse(0);
      int[] all = oracle(h, f -> true, Long.MAX_VALUE);
      try {
        RestorePlan p = RestorePlanner.plan(listing, RestoreTarget.latest());
        checkPlan(p, f -> true, ctx + " latest");
        assertEquals(top, p.maxTxId().value(), ctx + " latest reaches the newest file");
        assertEquals(all[(int) top], p.files().size(), ctx + " latest uses the fewest files");
        plans++;
      } catch (ReplicaGapException e) {
        assertTrue(all[(int) top] < 0, ctx + " gap reported but oracle reaches " + top + ": " + e.getMessage());
        assertEquals(reach(all), e.haveUpTo().value(), ctx + " gap position");
        gaps++;
      } catch (NoMatchingBackupException e) {
        assertEquals(0, reach(all), ctx + " no match but oracle reaches " + reach(all));
      }

      // Every txid.
      for (long t = 1; t <= h.n(); t++) {
        int[] dist = oracle(h, f -> true, t);
        String c = ctx + " txid " + t;
        try {
          RestorePlan p = RestorePlanner.plan(listing, RestoreTarget.atTxId(TxId.of(t)));
          long tt = t;
          checkPlan(p, f -> f.maxTxId().value() <= tt, c);
          assertEquals(t, p.maxTxId().value(), c + " ends at target");
          assertEquals(dist[(int) t], p.files().size(), c + " uses the fewest files: " + p.files());
          plans++;
        } catch (NoMatchingBackupException e) {
          assertTrue(dist[(int) t] < 0, c + " no match, but oracle finds " + dist[(int) t] + " files");
        }
      }

      // A sample of timestamps, on, just after and just before file times.
      for (int k = 0; k < 8 && !h.files().isEmpty(); k++) {
        long ms = h.files().get(r.nextInt(h.files().size())).createdAt().toEpochMilli() + r.nextInt(3) - 1;
        Instant at = Instant.ofEpochMilli(ms);
        Predicate<LtxFileInfo> before = f -> f.createdAt().isBefore(at);
        int[] dist = oracle(h, before, Long.MAX_VALUE);
        String c = ctx + " time " + ms;
        try {
          RestorePlan p = RestorePlanner.plan(listing, RestoreTarget.atTime(at));
          checkPlan(p, before, c);
          assertEquals(reach(dist), p.maxTxId().value(), c + " goes as far as allowed files reach");
          assertEquals(dist[reach(dist)], p.files().size(), c + " uses the fewest files");
          plans++;
        } catch (NoMatchingBackupException e) {
          assertEquals(0, reach(dist), c);
        } catch (ReplicaGapException e) {
          fail(c + ": gaps are reported for latest restores only: " + e);
        }
      }
    }
    assertTrue(plans > SEEDS * 20, "exercised " + plans + " plans");
    assertTrue(gaps > 0, "some histories have gaps");
  }

  @Test
  void plan_compactedHistories_useFewFiles() throws Exception {
    // Full compaction chains: L0 runs of 4 into L1, L1 runs of 4 into L2, L2 runs of 4 into L3.
    // Any target then needs at most one L3 prefix chain plus < 4 files per lower level after it,
    // so at most (n / 64 + 1) + 3 * 3 + 1 files, whatever the target.
    int n = 1000;
    List<LtxFileInfo> files = new ArrayList<>();
    for (int level = 0, width = 1; level <= 3; level++, width *= 4) {
      for (long a = 1; a + width - 1 <= n; a += width) {
        files.add(file(level, a, a + width - 1, timeOf(a + width - 1)));
      }
    }
    ReplicaListing listing = ReplicaListing.of("chain", files);
    for (long t = 1; t <= n; t++) {
      RestorePlan p = RestorePlanner.plan(listing, RestoreTarget.atTxId(TxId.of(t)));
      checkPlan(p, f -> true, "txid " + t);
      long bound = t / 64 + 1 + 3 * 3 + 1;
      assertTrue(p.files().size() <= bound, "txid " + t + ": " + p.files().size() + " files > " + bound);
    }
    RestorePlan latest = RestorePlanner.plan(listing, RestoreTarget.latest());
    assertEquals(TxId.of(n), latest.maxTxId());
    assertInstanceOf(RestorePlan.class, latest);
  }
}
