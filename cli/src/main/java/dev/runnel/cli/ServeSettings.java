package dev.runnel.cli;

import dev.runnel.config.ReplicaUrl;
import dev.runnel.config.Secret;
import dev.runnel.config.ServeFile;
import dev.runnel.server.Jwt;
import dev.runnel.server.ServerConfig;
import dev.runnel.tenant.TenantOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The effective settings of {@code runnel serve}: for each one the flag wins over the environment
 * variable, which wins over the config file, which wins over the default. Everything is validated
 * here, before anything starts; secrets never appear in messages.
 *
 * @param config        the server configuration
 * @param exampleSchema whether the zero-config example table is in use (no config file, no schema,
 *                      default replica): the command then prints example requests
 */
record ServeSettings(ServerConfig config, boolean exampleSchema) {

  /** The example table of a first run with nothing configured. */
  static final String EXAMPLE_SCHEMA = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
      + "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));";

  /** The command-line flags; null = not given. */
  record Flags(String addr, Path data, String replica, Path schema, String tables, Path jwtSecretFile,
      Path jwtPublicKey) {}

  static ServeSettings resolve(Flags flags, Map<String, String> env, ServeFile file, boolean haveFile)
      throws CliException {
    ServerConfig c = ServerConfig.defaults();
    Optional<String> a = first(flags.addr(), env.get("RUNNEL_ADDR"), file::addr);
    if (a.isPresent()) {
      c = bind(c, a.get());
    }
    Optional<Path> d = first(flags.data(), path(env.get("RUNNEL_DATA")), file::data);
    if (d.isPresent()) {
      c = c.withDataDir(d.get());
    }
    Optional<String> r = first(flags.replica(), env.get("RUNNEL_REPLICA"), file::replica);
    if (r.isPresent()) {
      try {
        ReplicaUrl.checkSupported(r.get());
      } catch (IllegalArgumentException e) {
        throw new CliException("invalid replica: " + e.getMessage(),
            "runnel serve -replica file:///var/backups/tenants (or s3://bucket/prefix)");
      }
      c = c.withReplicaBase(r.get());
    }
    Optional<Path> schemaFile = first(flags.schema(), path(env.get("RUNNEL_SCHEMA")), Optional::empty);
    Optional<String> schema = schemaFile.isPresent()
        ? Optional.of(read(schemaFile.get(), "schema file")) : file.schemaSql();
    boolean example = schema.isEmpty() && !haveFile && r.isEmpty();
    if (schema.isPresent() || example) {
      c = c.withTenantSchema(schema.orElse(EXAMPLE_SCHEMA));
    }
    Optional<String> t = first(flags.tables(), env.get("RUNNEL_TABLES"), () -> file.tables().map(l -> String.join(",",
        l)));
    if (t.isPresent()) {
      c = c.withExposedTables(new LinkedHashSet<>(Arrays.asList(t.get().trim().split("\\s*,\\s*"))));
    }
    c = c.withJwt(jwt(flags, env, file.auth()));
    c = c.withTenantOptions(tenantOptions(file.tenants()));
    c = c.withLimits(file.importMaxBytes().orElse(c.importMaxBytes()), file.bodyMaxBytes().orElse(c.maxBodyBytes()));
    c = c.withShutdownGrace(file.shutdownGrace().orElse(c.shutdownGrace()));
    c = c.withEndpoints(new ServerConfig.Endpoints(file.statusPage().orElse(true), file.metrics().orElse(true)));
    c = c.withRemoteAnonymous(file.auth().remoteAnonymous().orElse(false));
    return new ServeSettings(c, example);
  }

  private static ServerConfig bind(ServerConfig c, String a) throws CliException {
    int colon = a.lastIndexOf(':');
    String hint = "runnel serve -addr 127.0.0.1:3000";
    if (colon < 0) {
      throw new CliException("invalid -addr '" + a + "': expected HOST:PORT", hint);
    }
    try {
      String host = a.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return c.withBind(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(a.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new CliException("invalid -addr '" + a + "': " + e.getMessage(), hint);
    }
  }

  /** The JWT verifier settings, or null when neither a secret nor a public key is configured. */
  private static ServerConfig.JwtConfig jwt(Flags flags, Map<String, String> env, ServeFile.Auth auth)
      throws CliException {
    Optional<Secret> secret;
    if (flags.jwtSecretFile() != null) {
      secret = Optional.of(new Secret(read(flags.jwtSecretFile(), "JWT secret file").strip()));
    } else if (nonEmpty(env.get("RUNNEL_JWT_SECRET"))) {
      secret = Optional.of(new Secret(env.get("RUNNEL_JWT_SECRET")));
    } else if (nonEmpty(env.get("RUNNEL_JWT_SECRET_FILE"))) {
      secret = Optional.of(new Secret(read(Path.of(env.get("RUNNEL_JWT_SECRET_FILE")), "JWT secret file").strip()));
    } else {
      secret = auth.jwtSecret();
    }
    Optional<Path> pemFile = first(flags.jwtPublicKey(), path(env.get("RUNNEL_JWT_PUBLIC_KEY")), Optional::empty);
    Optional<String> pem = pemFile.isPresent() ? Optional.of(read(pemFile.get(), "JWT public key")) : auth.jwtPublicKeyPem();
    if (secret.isEmpty() && pem.isEmpty()) {
      return null;
    }
    byte[] key = secret.map(s -> s.reveal().getBytes(StandardCharsets.UTF_8)).orElse(null);
    if (key != null && key.length < ServeFile.MIN_SECRET_BYTES) {
      throw new CliException("the HS256 JWT secret must be at least " + ServeFile.MIN_SECRET_BYTES + " bytes, got "
          + key.length, "generate one: openssl rand -base64 48");
    }
    if (pem.isPresent()) {
      try {
        Jwt.rsaPublicKeyFromPem(pem.get());
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new CliException("the JWT public key is not a valid RSA public key PEM (" + e.getClass().getSimpleName()
            + ")", "export it with: openssl rsa -in key.pem -pubout");
      }
    }
    ServerConfig.JwtConfig j = key != null ? ServerConfig.JwtConfig.hs256(key) : ServerConfig.JwtConfig.rs256(pem.get());
    if (key != null && pem.isPresent()) {
      j = j.withRs256PublicKey(pem.get());
    }
    if (auth.tenantClaim().isPresent()) {
      j = j.withTenantClaim(auth.tenantClaim().get());
    }
    if (auth.roleClaim().isPresent()) {
      j = j.withRoles(auth.roleClaim().get(), j.readRoles(), j.writeRoles());
    }
    return auth.leeway().map(j::withLeeway).orElse(j);
  }

  private static TenantOptions tenantOptions(ServeFile.Tenants t) {
    TenantOptions o = TenantOptions.defaults();
    o = t.idleTimeout().map(o::withIdleTimeout).orElse(o);
    o = t.parkAfter().map(o::withParkAfter).orElse(o);
    o = t.maxHot().map(o::withMaxHotTenants).orElse(o);
    o = t.diskBudget().map(o::withDiskBudgetBytes).orElse(o);
    o = t.leaseTtl().map(o::withLeaseTtl).orElse(o);
    o = t.maxReaders().map(o::withMaxReaders).orElse(o);
    return t.busyTimeout().map(o::withBusyTimeout).orElse(o);
  }

  private static String read(Path p, String what) throws CliException {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException(what + " not found: " + p, "runnel serve --help");
    } catch (IOException e) {
      throw new CliException("cannot read " + what + " " + p + ": " + e.getMessage(), "runnel serve --help");
    }
  }

  private static <T> Optional<T> first(T flag, T envValue, Supplier<Optional<T>> fromFile) {
    if (flag != null) {
      return Optional.of(flag);
    }
    if (envValue instanceof String s ? !s.isEmpty() : envValue != null) {
      return Optional.of(envValue);
    }
    return fromFile.get();
  }

  private static Path path(String s) {
    return nonEmpty(s) ? Path.of(s) : null;
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
