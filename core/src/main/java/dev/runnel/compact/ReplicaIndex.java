package dev.runnel.compact;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * What the replica holds, kept in memory so deciding whether anything is due costs no request:
 * loaded with one LIST per level, then updated on every file this process stores (uploads,
 * snapshots, compactions) or deletes. Assumes this process is the replica's only writer (the same
 * assumption Litestream makes). After a failed store operation the index is marked stale and
 * reloaded before the next decision.
 *
 * <p>Thread-safe.
 */
final class ReplicaIndex {
  private final List<TreeMap<LtxFileName, LtxFileInfo>> levels = new ArrayList<>();
  private boolean stale = true;
  /** Files stored while a load was listing; re-applied on top of the listing. */
  private List<LtxFileInfo> addedDuringLoad;
  /** Bumped on every L0 file stored: a database with no new L0 file has nothing to compact. */
  private long l0Changes;

  ReplicaIndex() {
    for (int i = 0; i <= LtxFileInfo.MAX_LEVEL; i++) {
      levels.add(new TreeMap<>());
    }
  }

  synchronized boolean isStale() {
    return stale;
  }

  synchronized void markStale() {
    stale = true;
  }

  /** Lists every level of {@code replica} (10 LIST requests) and replaces the index with it. */
  void load(ReplicaClient replica) throws IOException {
    synchronized (this) {
      addedDuringLoad = new ArrayList<>();
    }
    List<List<LtxFileInfo>> listed = new ArrayList<>();
    try {
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        listed.add(replica.list(level));
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        addedDuringLoad = null;
        stale = true;
      }
      throw e;
    }
    synchronized (this) {
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        TreeMap<LtxFileName, LtxFileInfo> m = levels.get(level);
        m.clear();
        for (LtxFileInfo f : listed.get(level)) {
          m.put(f.name(), f);
        }
      }
      for (LtxFileInfo f : addedDuringLoad) {
        levels.get(f.level()).put(f.name(), f);
      }
      addedDuringLoad = null;
      stale = false;
      l0Changes++;
    }
  }

  /** Records a stored file (replacing one of the same name). */
  synchronized void added(LtxFileInfo f) {
    levels.get(f.level()).put(f.name(), f);
    if (addedDuringLoad != null) {
      addedDuringLoad.add(f);
    }
    if (f.level() == 0) {
      l0Changes++;
    }
  }

  /** Records deleted files. */
  synchronized void removed(Collection<LtxFileInfo> files) {
    for (LtxFileInfo f : files) {
      levels.get(f.level()).remove(f.name());
    }
  }

  synchronized long l0Changes() {
    return l0Changes;
  }

  /** The files of one level in filename order (a copy). */
  synchronized List<LtxFileInfo> files(int level) {
    return new ArrayList<>(levels.get(level).values());
  }

  /** Files of one level with MinTXID &ge; {@code seek}, in filename order. */
  synchronized List<LtxFileInfo> files(int level, TxId seek) {
    return new ArrayList<>(levels.get(level).tailMap(LtxFileName.of(seek.isZero() ? TxId.ONE : seek, seek.isZero() ? TxId.ONE : seek), true)
        .values());
  }

  /**
   * The level's file with the largest MaxTXID (the first such in filename order), as Litestream's
   * {@code MaxLTXFileInfo}; null if the level is empty.
   */
  synchronized LtxFileInfo maxFile(int level) {
    LtxFileInfo best = null;
    for (LtxFileInfo f : levels.get(level).values()) {
      if (best == null || f.maxTxId().isAfter(best.maxTxId())) {
        best = f;
      }
    }
    return best;
  }

  /** Number of files per level 0..9. */
  synchronized int[] counts() {
    int[] c = new int[levels.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = levels.get(i).size();
    }
    return c;
  }
}
