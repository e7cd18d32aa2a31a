package dev.runnel.wal;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The committed pages of a WAL range: for each page, the frame holding its latest committed
 * version (spec capture.md §4, "page map"). Immutable and thread-safe.
 *
 * @param pages page number → WAL offset (bytes) of the frame header holding the page; only pages
 *     not beyond {@code commit}; unmodifiable
 * @param maxOffset the end (bytes) of the last committed frame read, or the start offset when no
 *     transaction committed
 * @param commit the database size in pages after the last commit read, 0 if none
 * @param transactions the number of commit frames read
 */
public record WalPageMap(SortedMap<Integer, Long> pages, long maxOffset, int commit, int transactions) {

  public WalPageMap {
    pages = Collections.unmodifiableSortedMap(new TreeMap<>(pages));
  }

  /** A map without a transaction count (0). */
  public WalPageMap(SortedMap<Integer, Long> pages, long maxOffset, int commit) {
    this(pages, maxOffset, commit, 0);
  }

  /**
   * Reads frames from {@code reader} until the log ends and collects the committed pages.
   * Frames are merged only at a commit frame; trailing uncommitted frames are ignored (the
   * reader is then positioned after them, so use {@link #maxOffset()} as the next position).
   *
   * @param maxBytes byte cap, 0 for none: checked only at commit boundaries, reading stops after
   *     the first commit at which {@code maxOffset - start >= maxBytes}
   */
  public static WalPageMap build(WalReader reader, long maxBytes) throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    long start = reader.offset();
    TreeMap<Integer, Long> result = new TreeMap<>();
    Map<Integer, Long> pending = new HashMap<>();
    long maxOffset = start;
    int commit = 0;
    int transactions = 0;
    WalFrame f;
    while ((f = reader.next(null)) != null) {
      pending.put(f.pgno(), f.offset());
      if (f.isCommit()) {
        result.putAll(pending);
        pending.clear();
        commit = f.commit();
        maxOffset = reader.offset();
        transactions++;
        if (maxBytes > 0 && maxOffset - start >= maxBytes) {
          break;
        }
      }
    }
    // Commit sizes are unsigned in SQLite but never exceed 2^31 pages in practice.
    result.tailMap(commit, false).clear();
    return new WalPageMap(result, maxOffset, commit, transactions);
  }

  /** Whether no transaction committed in the range read. */
  public boolean isEmpty() {
    return transactions == 0 && commit == 0;
  }
}
