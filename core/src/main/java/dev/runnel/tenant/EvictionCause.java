package dev.runnel.tenant;

/** Why a tenant stopped being hot in this process. */
public enum EvictionCause {
  /** Unused for longer than the idle timeout. */
  IDLE,
  /** Least recently used while more tenants were hot than the maximum. */
  LRU,
  /** Least recently used while the cache directory was over its disk budget. */
  DISK,
  /** Asked for explicitly through {@link TenantDatabases#evict(String)}. */
  EXPLICIT,
  /** {@link TenantDatabases#close()}. */
  SHUTDOWN,
  /** The lease was lost (taken over, or could not be renewed before it expired). */
  LEASE_LOST
}
