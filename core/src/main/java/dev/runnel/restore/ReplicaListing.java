package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of a replica's file list, by level, each level in filename order (min then max).
 * Immutable.
 *
 * @param replica a description of the replica for messages, e.g. {@link ReplicaClient#describe()}
 * @param levels  files per level 0..9; missing levels are empty. Each file's level must equal its
 *                key. Lists are copied and sorted by name (stably, so duplicates keep their order)
 */
public record ReplicaListing(String replica, Map<Integer, List<LtxFileInfo>> levels) {
  public ReplicaListing {
    Objects.requireNonNull(replica, "replica");
    TreeMap<Integer, List<LtxFileInfo>> copy = new TreeMap<>();
    for (Map.Entry<Integer, List<LtxFileInfo>> e : levels.entrySet()) {
      int level = e.getKey();
      LtxFileInfo.checkLevel(level);
      List<LtxFileInfo> files = new ArrayList<>(e.getValue());
      for (LtxFileInfo f : files) {
        if (f.level() != level) {
          throw new IllegalArgumentException("file " + f + " listed under level " + level);
        }
      }
      files.sort(Comparator.comparing(LtxFileInfo::name));
      copy.put(level, List.copyOf(files));
    }
    levels = java.util.Collections.unmodifiableMap(copy);
  }

  /** Groups files by their level. */
  public static ReplicaListing of(String replica, Collection<LtxFileInfo> files) {
    TreeMap<Integer, List<LtxFileInfo>> byLevel = new TreeMap<>();
    for (LtxFileInfo f : files) {
      byLevel.computeIfAbsent(f.level(), k -> new ArrayList<>()).add(f);
    }
    return new ReplicaListing(replica, byLevel);
  }

  /**
   * Lists every level 0..9 of a replica.
   *
   * @param exactTimestamps passed to {@link ReplicaClient#list(int, TxId, boolean)}; only
   *     point-in-time restores need it (it costs a request per file on S3)
   */
  public static ReplicaListing fetch(ReplicaClient client, boolean exactTimestamps) throws IOException {
    return new ReplicaListing(client.describe(), ReplicaClient.listEachLevel(client, exactTimestamps));
  }

  /** The files of one level in filename order; empty if none. */
  public List<LtxFileInfo> level(int level) {
    LtxFileInfo.checkLevel(level);
    return levels.getOrDefault(level, List.of());
  }
}
