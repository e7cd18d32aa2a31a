package dev.runnel.tenant;

import dev.runnel.replicate.ReplicationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A point-in-time view of one tenant known to this process, for status pages.
 *
 * @param state           lifecycle state
 * @param openHandles     handles not yet closed
 * @param lastUsed        last acquire or handle close (injected clock)
 * @param hotSince        when the cold start finished, if it has
 * @param coldStart       how long the cold start took, if it has finished
 * @param created         whether the cold start created the tenant (empty replica)
 * @param diskBytes       local bytes as last measured
 * @param leaseExpiresAt  when our lease runs out unless renewed
 * @param replication     the replication status, while replicating (empty while parked)
 */
public record TenantInfo(
    String tenantId,
    State state,
    int openHandles,
    Instant lastUsed,
    Optional<Instant> hotSince,
    Optional<Duration> coldStart,
    boolean created,
    Path database,
    long diskBytes,
    Optional<Instant> leaseExpiresAt,
    Optional<ReplicationStatus> replication) {

  /** Lifecycle of a tenant in this process. */
  public enum State {
    /** Cold start (lease, restore, replication start, hooks) in progress. */
    STARTING,
    /** Ready: acquires return at once. */
    HOT,
    /**
     * Hot but idle and parked: no replication running, no connections, no descriptors; local files
     * and lease kept. The next acquire reopens it (milliseconds, no restore).
     */
    PARKED,
    /** Being evicted or torn down; acquires wait for it to finish. */
    CLOSING
  }
}
