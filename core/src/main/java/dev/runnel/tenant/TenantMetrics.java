package dev.runnel.tenant;

import java.util.Map;

/**
 * Aggregate counters of a {@link TenantDatabases}, a consistent-enough snapshot (each value is read
 * atomically, not all together). Counters are totals since the manager was built.
 *
 * @param hotTenants         tenants hot now (ready, holding their lease; replicating unless parked)
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
 * @param parkedTenants      hot tenants parked now (counted in {@code hotTenants} too; see
 *                           {@link TenantOptions#parkAfter()})
 * @param parks              tenants parked
 * @param parkFailures       parkings abandoned because the final sync or upload failed (the
 *                           tenant stayed open and is retried by the next sweep)
 * @param unparks            parked tenants reopened by an acquire
 * @param unparkFailures     unparks that failed (the acquire threw; the tenant stayed parked)
 * @param unparkLatency      time of successful unparks (the acquire that reopened the tenant)
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
    long leaseLosses,
    int parkedTenants,
    long parks,
    long parkFailures,
    long unparks,
    long unparkFailures,
    LatencyHistogram unparkLatency) {

  public TenantMetrics {
    evictions = Map.copyOf(evictions);
  }

  /** Evictions of one cause. */
  public long evictions(EvictionCause cause) {
    return evictions.getOrDefault(cause, 0L);
  }
}
