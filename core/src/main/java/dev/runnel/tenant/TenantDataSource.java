package dev.runnel.tenant;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * {@link DataSource} views of tenants, for code written against one. Two kinds:
 * {@link TenantHandle#dataSource(boolean)} (connections of one handle) and
 * {@link TenantDatabases#dataSource(String, boolean)} (each connection acquires the tenant and
 * releases it on close). Credentials passed to {@code getConnection(user, password)} are ignored.
 */
final class TenantDataSource implements DataSource {
  /** Where connections come from. */
  @FunctionalInterface
  interface Source {
    Connection get() throws SQLException;
  }

  private final Source source;
  private final String description;
  private volatile int loginTimeoutSeconds;

  TenantDataSource(Source source, String description) {
    this.source = source;
    this.description = description;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return source.get();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return source.get();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // Logging goes through System.Logger.
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException(this + " does not wrap " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "TenantDataSource[" + description + "]";
  }
}
