package dev.runnel.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings a {@code runnel serve} config file gives; every field is empty when the file does not
 * set it (the command then falls back to its environment variables' and built-in defaults). Files
 * named in the config (schema, JWT secret, public key) are already read. Immutable; {@link
 * #toString()} never shows the secret.
 *
 * @param addr          {@code host:port} to listen on
 * @param data          data directory (absolute)
 * @param replica       replica base URL, or an absolute path for a bare path
 * @param schemaSql     content of the {@code schema} file
 * @param tables        exposed tables
 * @param auth          JWT settings
 * @param tenants       tenant manager settings
 * @param importMaxBytes largest CSV import body
 * @param bodyMaxBytes  largest JSON body
 * @param shutdownGrace how long in-flight requests may finish at shutdown
 * @param statusPage    whether {@code /} serves the status page
 * @param metrics       whether {@code /metrics} is served
 * @param warnings      duplicate keys and similar, one line each
 */
public record ServeFile(
    Optional<String> addr,
    Optional<java.nio.file.Path> data,
    Optional<String> replica,
    Optional<String> schemaSql,
    Optional<List<String>> tables,
    Auth auth,
    Tenants tenants,
    Optional<Long> importMaxBytes,
    Optional<Long> bodyMaxBytes,
    Optional<Duration> shutdownGrace,
    Optional<Boolean> statusPage,
    Optional<Boolean> metrics,
    List<String> warnings) {

  /** HS256 secrets shorter than this are refused (RFC 7518 §3.2: at least the hash size). */
  public static final int MIN_SECRET_BYTES = 32;

  /** The settings of an empty file. */
  public static final ServeFile EMPTY = new ServeFile(Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), Auth.EMPTY, Tenants.EMPTY, Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty(), List.of());

  public ServeFile {
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(tenants, "tenants");
    tables = tables.map(List::copyOf);
    warnings = List.copyOf(warnings);
  }

  /**
   * The {@code auth} section.
   *
   * @param jwtSecret       HS256 secret (from {@code jwt-secret} or the file {@code jwt-secret-file})
   * @param jwtPublicKeyPem RS256 public key PEM (from {@code jwt-public-key-file})
   * @param tenantClaim     claim naming the tenant
   * @param roleClaim       claim naming the role
   * @param leeway          clock skew allowed on {@code exp}/{@code nbf}
   * @param remoteAnonymous without a JWT, serve non-loopback clients too
   */
  public record Auth(Optional<Secret> jwtSecret, Optional<String> jwtPublicKeyPem, Optional<String> tenantClaim,
      Optional<String> roleClaim, Optional<Duration> leeway, Optional<Boolean> remoteAnonymous) {
    static final Auth EMPTY = new Auth(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  /**
   * The {@code tenants} section (see {@code dev.runnel.tenant.TenantOptions} for meanings and defaults).
   *
   * @param idleTimeout  evict a tenant unused this long
   * @param parkAfter    park a tenant unused this long (no descriptors; 0 = never)
   * @param maxHot       most hot tenants
   * @param diskBudget   most bytes in the local tenant cache (0 = none)
   * @param leaseTtl     lifetime of a tenant's lease
   * @param maxReaders   read connections per tenant
   * @param busyTimeout  SQLite busy timeout and the longest wait for a connection
   */
  public record Tenants(Optional<Duration> idleTimeout, Optional<Duration> parkAfter, Optional<Integer> maxHot,
      Optional<Long> diskBudget, Optional<Duration> leaseTtl, Optional<Integer> maxReaders,
      Optional<Duration> busyTimeout) {
    static final Tenants EMPTY = new Tenants(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty());
  }
}
