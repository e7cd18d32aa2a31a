package dev.runnel.tenant;

import java.time.Duration;

/**
 * Callbacks a host application registers to observe tenants (dashboards, alerts, tracing). All
 * methods have empty defaults. They run synchronously on the thread that did the work (an
 * acquiring thread, the maintenance thread or a shutdown thread), so keep them quick and
 * non-blocking; exceptions they throw are logged and otherwise ignored. Must be thread-safe.
 */
public interface TenantListener {
  /**
   * A tenant became hot.
   *
   * @param created true if the replica was empty and the tenant was created (initializer ran)
   * @param elapsed time from the start of the acquire to the tenant being ready
   */
  default void coldStarted(String tenantId, boolean created, Duration elapsed) {}

  /** A tenant was evicted: its changes are in the replica and its local files are gone. */
  default void evicted(String tenantId, EvictionCause cause) {}

  /**
   * An idle tenant was parked: its changes are in the replica, its replication is stopped and its
   * connections are closed; its local files and lease stay (see {@link TenantOptions#parkAfter()}).
   */
  default void parked(String tenantId) {}

  /**
   * A parked tenant was reopened by an acquire.
   *
   * @param elapsed time the acquire spent reopening it
   */
  default void unparked(String tenantId, Duration elapsed) {}

  /** This process lost a tenant's lease and stopped writing it. */
  default void leaseLost(String tenantId, String reason) {}

  /**
   * Something failed that the application may want to see: an eviction that could not upload (the
   * tenant stays hot and is retried later), a failed lease release, a failed cold start.
   *
   * @param operation a short name: {@code cold-start}, {@code evict}, {@code park}, {@code unpark},
   *     {@code lease-release}, ...
   */
  default void error(String tenantId, String operation, Throwable error) {}
}
