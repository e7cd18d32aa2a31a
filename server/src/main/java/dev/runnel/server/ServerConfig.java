package dev.runnel.server;

import dev.runnel.tenant.TenantOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link RunnelServer}. Immutable; start from {@link #defaults()} and derive with the
 * {@code with*} methods.
 *
 * @param bindAddress    address to listen on (default {@code 127.0.0.1}: local only)
 * @param port           TCP port; 0 picks a free one (default 3000, PostgREST's)
 * @param dataDir        local directory: hot tenants live in {@code <dataDir>/tenants} (scratch
 *                       space, emptied at start); default {@code ./runnel-data}
 * @param replicaBase    where tenants replicate, e.g. {@code s3://bucket/tenants} or
 *                       {@code file:///var/backups/tenants}; tenant {@code X} goes to
 *                       {@code <base>/X}. Null: {@code file://<dataDir>/replica}
 * @param jwt            token verification; null serves without authentication: every client may read
 *                       and write every tenant, so by default only loopback clients are served (see
 *                       {@code remoteAnonymous})
 * @param exposedTables  tables and views the API serves; null: all but {@code sqlite_*} and
 *                       {@code _litestream_*} (which are never served)
 * @param importMaxBytes largest CSV body accepted by {@code /import} (default 256 MiB); larger: 413
 * @param maxBodyBytes   largest JSON body (default 16 MiB); larger: 413
 * @param tenantOptions  options of the tenant manager
 * @param tenantSchema   SQL script run in the creating transaction of a brand-new tenant (empty
 *                       replica); null: new tenants start empty
 * @param shutdownGrace  how long {@link RunnelServer#close()} lets in-flight requests finish (default 10 s)
 * @param endpoints      which operator endpoints are served (default: status page and metrics on)
 * @param remoteAnonymous without a JWT, whether clients other than loopback ones are served (default
 *                       false: they get 401 on every route but {@code /healthz} and {@code /readyz}).
 *                       Ignored when a JWT is configured
 */
public record ServerConfig(
    String bindAddress,
    int port,
    Path dataDir,
    String replicaBase,
    JwtConfig jwt,
    Set<String> exposedTables,
    long importMaxBytes,
    long maxBodyBytes,
    TenantOptions tenantOptions,
    String tenantSchema,
    Duration shutdownGrace,
    Endpoints endpoints,
    boolean remoteAnonymous) {

  public ServerConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    Objects.requireNonNull(dataDir, "dataDir");
    exposedTables = exposedTables == null ? null : Set.copyOf(exposedTables);
    if (importMaxBytes < 1 || maxBodyBytes < 1) {
      throw new IllegalArgumentException("body limits must be positive");
    }
    Objects.requireNonNull(tenantOptions, "tenantOptions");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  /**
   * Operator endpoints. {@code /healthz} and {@code /readyz} are always served; a disabled endpoint
   * answers 404. Neither endpoint checks JWTs (the status page names tenants and shows recent errors,
   * so disable it, or keep the server off public networks, when that matters).
   *
   * @param statusPage the HTML status page at {@code /}
   * @param metrics    Prometheus text at {@code /metrics}
   */
  public record Endpoints(boolean statusPage, boolean metrics) {
    public static final Endpoints ALL = new Endpoints(true, true);
  }

  /**
   * JWT settings. At least one key. Roles: {@code readRoles} may GET/HEAD, {@code writeRoles} may
   * also POST/PATCH/DELETE and import; any other role (or none) gets 403.
   *
   * @param hs256Secret       shared secret for HS256 (at least 32 bytes), or null
   * @param rs256PublicKeyPem RSA public key (PEM, {@code BEGIN PUBLIC KEY}) for RS256, or null
   * @param tenantClaim       claim that must equal the path's tenant (default {@code tenant})
   * @param roleClaim         claim holding the role (default {@code role})
   * @param leeway            clock skew allowed on {@code exp}/{@code nbf} (default 0)
   */
  public record JwtConfig(byte[] hs256Secret, String rs256PublicKeyPem, String tenantClaim, String roleClaim,
      Set<String> readRoles, Set<String> writeRoles, Duration leeway) {
    public JwtConfig {
      if (hs256Secret == null && rs256PublicKeyPem == null) {
        throw new IllegalArgumentException("JWT config needs an HS256 secret or an RS256 public key");
      }
      hs256Secret = hs256Secret == null ? null : hs256Secret.clone();
      Objects.requireNonNull(tenantClaim, "tenantClaim");
      Objects.requireNonNull(roleClaim, "roleClaim");
      readRoles = Set.copyOf(readRoles);
      writeRoles = Set.copyOf(writeRoles);
      Objects.requireNonNull(leeway, "leeway");
    }

    public static JwtConfig hs256(byte[] secret) {
      return new JwtConfig(secret, null, "tenant", "role", Set.of("reader", "writer"), Set.of("writer"), Duration.ZERO);
    }

    public static JwtConfig rs256(String publicKeyPem) {
      return new JwtConfig(null, publicKeyPem, "tenant", "role", Set.of("reader", "writer"), Set.of("writer"),
          Duration.ZERO);
    }

    /** Also (or instead) accepts RS256 tokens signed by the key of {@code publicKeyPem}. */
    public JwtConfig withRs256PublicKey(String publicKeyPem) {
      return new JwtConfig(hs256Secret, publicKeyPem, tenantClaim, roleClaim, readRoles, writeRoles, leeway);
    }

    public JwtConfig withTenantClaim(String claim) {
      return new JwtConfig(hs256Secret, rs256PublicKeyPem, claim, roleClaim, readRoles, writeRoles, leeway);
    }

    public JwtConfig withRoles(String claim, Set<String> read, Set<String> write) {
      return new JwtConfig(hs256Secret, rs256PublicKeyPem, tenantClaim, claim, read, write, leeway);
    }

    public JwtConfig withLeeway(Duration d) {
      return new JwtConfig(hs256Secret, rs256PublicKeyPem, tenantClaim, roleClaim, readRoles, writeRoles, d);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
      return "JwtConfig[" + (hs256Secret != null ? "HS256" : "") + (rs256PublicKeyPem != null ? " RS256" : "")
          + ", tenantClaim=" + tenantClaim + ", roleClaim=" + roleClaim + "]";
    }
  }

  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 3000, Path.of("runnel-data"), null, null, null, 256L << 20, 16L << 20,
        TenantOptions.defaults(), null, Duration.ofSeconds(10), Endpoints.ALL, false);
  }

  /** The replica base actually used. */
  public String effectiveReplicaBase() {
    return replicaBase != null ? replicaBase : "file://" + dataDir.toAbsolutePath().normalize().resolve("replica");
  }

  public ServerConfig withBind(String address, int p) {
    return new ServerConfig(address, p, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withPort(int p) {
    return withBind(bindAddress, p);
  }

  public ServerConfig withDataDir(Path d) {
    return new ServerConfig(bindAddress, port, d, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withReplicaBase(String r) {
    return new ServerConfig(bindAddress, port, dataDir, r, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withJwt(JwtConfig j) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, j, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withExposedTables(Set<String> t) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, t, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withLimits(long importMax, long bodyMax) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMax, bodyMax,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withTenantOptions(TenantOptions o) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        o, tenantSchema, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withTenantSchema(String sql) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, sql, shutdownGrace, endpoints, remoteAnonymous);
  }

  public ServerConfig withShutdownGrace(Duration d) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, d, endpoints, remoteAnonymous);
  }

  public ServerConfig withEndpoints(Endpoints e) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, e, remoteAnonymous);
  }

  /** See {@link #remoteAnonymous()}: true serves every client without authentication when no JWT is set. */
  public ServerConfig withRemoteAnonymous(boolean allow) {
    return new ServerConfig(bindAddress, port, dataDir, replicaBase, jwt, exposedTables, importMaxBytes, maxBodyBytes,
        tenantOptions, tenantSchema, shutdownGrace, endpoints, allow);
  }
}
