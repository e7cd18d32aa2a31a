package dev.runnel.tenant;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Application code run against a tenant's database during a cold start: the schema initializer
 * (brand-new tenants only) and the migration hook (every cold start).
 *
 * <p>The connection is the tenant's writer, with auto-commit off: the hook's work is committed
 * when it returns and rolled back if it throws, in which case the cold start fails (and the
 * acquire with it). Hooks must not close the connection. They may run concurrently for
 * different tenants, never for the same tenant.
 */
@FunctionalInterface
public interface TenantHook {
  /** A hook that does nothing. */
  TenantHook NONE = (tenantId, connection) -> {};

  void apply(String tenantId, Connection connection) throws SQLException;
}
