package dev.runnel.tenant;

import dev.runnel.replicate.ReplicationOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link TenantDatabases}. Immutable; start from {@link #defaults()} and derive with
 * the {@code with*} methods.
 *
 * @param idleTimeout        a tenant unused (no open handle) for this long is evicted (default 5 min)
 * @param parkAfter          a hot tenant unused (no open handle) for this long is <em>parked</em>:
 *                           its replication is flushed to the replica and stopped cleanly and its
 *                           connections are closed, so it holds no file descriptor, while its
 *                           local files, its lease (still renewed) and its place among the hot
 *                           tenants stay; the next acquire reopens it (a few milliseconds, no
 *                           restore, the first sync incremental). Default 30 s: long enough that a
 *                           tenant in a conversation (requests seconds apart) never pays the
 *                           reopen, short enough that a process with thousands of hot tenants
 *                           holds descriptors only for the ones used in the last half minute
 *                           (about 9 each otherwise). It is checked by the sweep, so a tenant is
 *                           parked between {@code parkAfter} and {@code parkAfter + sweepInterval}
 *                           after its last use. {@link Duration#ZERO} ({@link #NEVER_PARK})
 *                           disables parking; a value at or above {@code idleTimeout} has no effect
 *                           (eviction comes first)
 * @param maxHotTenants      most tenants hot at once; over it, least-recently-used idle tenants are
 *                           evicted right after a cold start (default 1000). A soft cap: tenants
 *                           with open handles are never evicted for it
 * @param diskBudgetBytes    most bytes the cache directory may hold (databases, WAL files, pending
 *                           LTX files); over it, least-recently-used idle tenants are evicted.
 *                           0 = no budget (default 0)
 * @param pragmas            extra SQLite pragmas for every application connection, applied in
 *                           order, e.g. {@code cache_size -> -2000}; names {@code [a-z_]+}, values
 *                           {@code [A-Za-z0-9_.+-]+} (default none). {@code journal_mode=WAL},
 *                           {@code foreign_keys=ON} and {@code busy_timeout} are always set
 * @param maxReaders         read connections per tenant, opened lazily (default 4); there is
 *                           always exactly one writer connection
 * @param busyTimeout        SQLite busy timeout of application connections, and the longest wait
 *                           for the tenant's writer or a free reader (default 5 s)
 * @param leaseTtl           lifetime of the lease object; renewed every TTL/3 while hot. This
 *                           process stops writing a tenant TTL/6 before its lease would expire
 *                           unrenewed (default 30 s)
 * @param verifyLeaseOnUpload before every upload, read the lease object and check that it is still
 *                           ours (one extra small GET per upload); when false only the local
 *                           record of the lease's expiry is checked (default true)
 * @param sweepInterval      how often idle tenants, the hot cap and the disk budget are checked
 *                           in the background (default 30 s)
 * @param shutdownParallelism tenants flushed at once by {@link TenantDatabases#close()} (default 16)
 * @param shutdownTimeout    longest {@link TenantDatabases#close()} waits for all tenants (default 60 s)
 * @param replication        replication settings of each tenant database
 *                           (default {@link ReplicationOptions#defaults()})
 */
public record TenantOptions(
    Duration idleTimeout,
    Duration parkAfter,
    int maxHotTenants,
    long diskBudgetBytes,
    Map<String, String> pragmas,
    int maxReaders,
    Duration busyTimeout,
    Duration leaseTtl,
    boolean verifyLeaseOnUpload,
    Duration sweepInterval,
    int shutdownParallelism,
    Duration shutdownTimeout,
    ReplicationOptions replication) {

  /** The default {@link #parkAfter()}: 30 s (see there for why). */
  public static final Duration DEFAULT_PARK_AFTER = Duration.ofSeconds(30);
  /** A {@link #parkAfter()} that disables parking. */
  public static final Duration NEVER_PARK = Duration.ZERO;

  private static final Pattern PRAGMA_NAME = Pattern.compile("[a-z_]{1,64}");
  private static final Pattern PRAGMA_VALUE = Pattern.compile("[A-Za-z0-9_.+-]{1,64}");

  public TenantOptions {
    positive(idleTimeout, "idleTimeout");
    Objects.requireNonNull(parkAfter, "parkAfter");
    if (parkAfter.isNegative()) {
      throw new IllegalArgumentException("parkAfter must be >= 0 (0 = never park), got " + parkAfter);
    }
    if (maxHotTenants < 1) {
      throw new IllegalArgumentException("maxHotTenants must be >= 1, got " + maxHotTenants);
    }
    if (diskBudgetBytes < 0) {
      throw new IllegalArgumentException("diskBudgetBytes must be >= 0, got " + diskBudgetBytes);
    }
    Objects.requireNonNull(pragmas, "pragmas");
    for (Map.Entry<String, String> e : pragmas.entrySet()) {
      if (!PRAGMA_NAME.matcher(e.getKey()).matches() || e.getValue() == null
          || !PRAGMA_VALUE.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException("invalid pragma " + e.getKey() + "=" + e.getValue());
      }
    }
    pragmas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pragmas));
    if (maxReaders < 1) {
      throw new IllegalArgumentException("maxReaders must be >= 1, got " + maxReaders);
    }
    positive(busyTimeout, "busyTimeout");
    positive(leaseTtl, "leaseTtl");
    if (leaseTtl.toMillis() < 600) {
      throw new IllegalArgumentException("leaseTtl must be >= 600 ms, got " + leaseTtl);
    }
    positive(sweepInterval, "sweepInterval");
    if (shutdownParallelism < 1) {
      throw new IllegalArgumentException("shutdownParallelism must be >= 1, got " + shutdownParallelism);
    }
    positive(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(replication, "replication");
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
  }

  public static TenantOptions defaults() {
    return new TenantOptions(Duration.ofMinutes(5), DEFAULT_PARK_AFTER, 1000, 0, Map.of(), 4, Duration.ofSeconds(5),
        Duration.ofSeconds(30), true, Duration.ofSeconds(30), 16, Duration.ofSeconds(60),
        ReplicationOptions.defaults());
  }

  public TenantOptions withIdleTimeout(Duration d) {
    return new TenantOptions(d, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout, leaseTtl,
        verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  /** {@link #parkAfter()}; {@link Duration#ZERO} (or {@link #NEVER_PARK}) disables parking. */
  public TenantOptions withParkAfter(Duration d) {
    return new TenantOptions(idleTimeout, d, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  /** Whether idle tenants are parked at all ({@link #parkAfter()} is not zero). */
  public boolean parkingEnabled() {
    return !parkAfter.isZero();
  }

  public TenantOptions withMaxHotTenants(int n) {
    return new TenantOptions(idleTimeout, parkAfter, n, diskBudgetBytes, pragmas, maxReaders, busyTimeout, leaseTtl,
        verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withDiskBudgetBytes(long n) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, n, pragmas, maxReaders, busyTimeout, leaseTtl,
        verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  /** Replaces the extra pragmas (iteration order of {@code p} is kept). */
  public TenantOptions withPragmas(Map<String, String> p) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, p, maxReaders, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  /** Adds or replaces one pragma. */
  public TenantOptions withPragma(String name, String value) {
    Map<String, String> p = new LinkedHashMap<>(pragmas);
    p.put(name, value);
    return withPragmas(p);
  }

  public TenantOptions withMaxReaders(int n) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, n, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withBusyTimeout(Duration d) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, d, leaseTtl,
        verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withLeaseTtl(Duration d) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        d, verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withVerifyLeaseOnUpload(boolean v) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        leaseTtl, v, sweepInterval, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withSweepInterval(Duration d) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, d, shutdownParallelism, shutdownTimeout, replication);
  }

  public TenantOptions withShutdown(int parallelism, Duration timeout) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, sweepInterval, parallelism, timeout, replication);
  }

  public TenantOptions withReplication(ReplicationOptions r) {
    return new TenantOptions(idleTimeout, parkAfter, maxHotTenants, diskBudgetBytes, pragmas, maxReaders, busyTimeout,
        leaseTtl, verifyLeaseOnUpload, sweepInterval, shutdownParallelism, shutdownTimeout, r);
  }
}

