package dev.runnel.tenant;

import java.io.IOException;
import java.time.Instant;

/**
 * The tenant's lease is held by another live process (or another {@link TenantDatabases} in this
 * one), so this process may not write it. Retry after {@link #expiresAt()}, or route the request to
 * {@link #holder()}.
 */
public final class TenantBusyException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String tenantId;
  private final String holder;
  private final transient Instant expiresAt;

  public TenantBusyException(String tenantId, String holder, Instant expiresAt) {
    super("tenant " + tenantId + " is leased by " + holder + " until " + expiresAt);
    this.tenantId = tenantId;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }

  public String tenantId() {
    return tenantId;
  }

  /** The holder id written in the lease. */
  public String holder() {
    return holder;
  }

  /** When the holder's lease runs out unless it renews it (the holder's clock). */
  public Instant expiresAt() {
    return expiresAt;
  }
}
