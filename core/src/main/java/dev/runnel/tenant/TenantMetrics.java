package dev.runnel.tenant;

import java.util.Map;

/**
 * Aggregate counters of a {@link TenantDatabases}, a consistent-enough snapshot (each value is read
 * atomically, not all together). Counters are totals since the manager was built.
 *
 * @param hotTenants         tenants hot now (ready, replicating, holding their lease)
 * @param startingTenants    cold starts in progress
 * @param openHandles        handles not yet closed, over all tenants
 * @param diskBytes          bytes of the hot tenants' local files, as last measured
 * @param coldStarts         successful cold starts (restores and creations)
 * @param tenantsCreated     cold starts that found no replica and created the tenant
 * @param coldStartFailures  cold starts that failed (including lease conflicts)
 * @param hotAcquires        acquires served by an already-hot tenant
 * @param coldStartLatency   time of successful cold starts
 * @param evictions          tenants evicted, by cause
 * @param evictionFailures   evictions abandoned because the final sync or upload failed (the
 *                           tenant stayed hot and is retried later)
 * @param leaseConflicts     acquires refused because another holder's lease was live
 * @param leaseLosses        leases lost while hot
 */
public record TenantMetrics(
    int hotTenants,
    int startingTenants,
    long openHandles,
    long diskBytes,
    long coldStarts,
    long tenantsCreated,
    long coldStartFailures,
    long hotAcquires,
    LatencyHistogram coldStartLatency,
    Map<EvictionCause, Long> evictions,
    long evictionFailures,
    long leaseConflicts,
    long leaseLosses) {

  public TenantMetrics {
    evictions = Map.copyOf(evictions);
  }

  /** Evictions of one cause. */
  public long evictions(EvictionCause cause) {
    return evictions.getOrDefault(cause, 0L);
  }
}
