package dev.runnel.restore.v3;

import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Litestream 0.3 replica in a {@link V3Store}. Every query lists the store afresh (no caching),
 * so results reflect concurrent changes; call {@link #listing()} once and query the {@link
 * V3Listing} to get a consistent view. Thread-safe if the store is.
 */
public final class V3Replica {
  private final V3Store store;

  public V3Replica(V3Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  public V3Store store() {
    return store;
  }

  /** Lists and parses all 0.3 objects; non-matching names are ignored. */
  public V3Listing listing() throws IOException {
    return V3Listing.of(store.list(V3Names.GENERATIONS));
  }

  /** True if the store holds any 0.3 snapshot or WAL segment. */
  public boolean exists() throws IOException {
    return !listing().isEmpty();
  }

  /** See {@link V3Listing#latestTimestamp()}. */
  public Optional<Instant> latestTimestamp() throws IOException {
    return listing().latestTimestamp();
  }

  /** See {@link V3Listing#bestSnapshotTimeAtOrBefore(Instant)}. */
  public Optional<Instant> bestSnapshotTimeAtOrBefore(Instant timestamp) throws IOException {
    return listing().bestSnapshotTimeAtOrBefore(timestamp);
  }
}
