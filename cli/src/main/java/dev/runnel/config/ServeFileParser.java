package dev.runnel.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the root mapping of a {@code runnel serve} config into a {@link ServeFile}. Strict: unknown
 * keys are errors (a misspelt {@code jwt-secret-file} must not silently serve without auth). Every
 * problem names its line and key; all are collected.
 */
final class ServeFileParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final LoadContext context;
  private final Problems problems;

  ServeFileParser(LoadContext context, Problems problems) {
    this.context = context;
    this.problems = problems;
  }

  ServeFile parse(YamlMap root) {
    Optional<String> addr = root.string("addr").filter(s -> !s.isEmpty());
    addr.ifPresent(a -> {
      if (!validAddr(a)) {
        root.error("addr", "invalid address \"" + a + "\" (expected host:port with a port 0..65535, e.g. "
            + "127.0.0.1:3000 or :3000)");
      }
    });
    Optional<Path> data = root.string("data").filter(s -> !s.isEmpty()).map(context::expandPath);
    Optional<String> replica = root.string("replica").filter(s -> !s.isEmpty()).flatMap(r -> replica(root, r));
    Optional<String> schema = root.string("schema").filter(s -> !s.isEmpty())
        .flatMap(f -> readFile(root, "schema", f));
    Optional<List<String>> tables = root.stringList("tables");
    tables.ifPresent(ts -> {
      for (String t : ts) {
        if (!NAME.matcher(t).matches()) {
          root.error("tables", "invalid table name \"" + t + "\" (expected letters, digits and _)");
        }
      }
    });
    ServeFile.Auth auth = root.map("auth").map(this::auth).orElse(ServeFile.Auth.EMPTY);
    ServeFile.Tenants tenants = root.map("tenants").map(this::tenants).orElse(ServeFile.Tenants.EMPTY);
    Optional<YamlMap> limits = root.map("limits");
    Optional<Long> importMax = limits.flatMap(l -> positiveSize(l, "import-max-size"));
    Optional<Long> bodyMax = limits.flatMap(l -> positiveSize(l, "body-max-size"));
    limits.ifPresent(YamlMap::rejectUnknown);
    Optional<Duration> grace = root.duration("shutdown-grace");
    grace.filter(Duration::isNegative).ifPresent(g -> root.error("shutdown-grace", "must not be negative"));
    Optional<Boolean> statusPage = root.bool("status-page");
    Optional<Boolean> metrics = root.bool("metrics");
    root.rejectUnknown();
    return new ServeFile(addr, data, replica, schema, tables, auth, tenants, importMax, bodyMax, grace, statusPage,
        metrics, problems.warnings());
  }

  private ServeFile.Auth auth(YamlMap m) {
    Optional<Secret> inline = m.secret("jwt-secret").filter(s -> !s.reveal().isEmpty());
    Optional<Secret> fromFile = m.string("jwt-secret-file").filter(s -> !s.isEmpty())
        .flatMap(f -> readFile(m, "jwt-secret-file", f)).map(s -> new Secret(s.strip()));
    if (inline.isPresent() && fromFile.isPresent()) {
      m.error("jwt-secret-file", "set either jwt-secret or jwt-secret-file, not both");
    }
    Optional<Secret> secret = inline.or(() -> fromFile);
    String secretKey = inline.isPresent() ? "jwt-secret" : "jwt-secret-file";
    secret.ifPresent(s -> {
      int n = s.reveal().getBytes(StandardCharsets.UTF_8).length;
      if (n < ServeFile.MIN_SECRET_BYTES) {
        // Never echo the value, only its length.
        m.error(secretKey, "the HS256 secret must be at least " + ServeFile.MIN_SECRET_BYTES + " bytes, got " + n);
      }
    });
    Optional<String> pem = m.string("jwt-public-key-file").filter(s -> !s.isEmpty())
        .flatMap(f -> readFile(m, "jwt-public-key-file", f));
    pem.ifPresent(p -> {
      if (!p.contains("-----BEGIN PUBLIC KEY-----")) {
        m.error("jwt-public-key-file", "not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
      }
    });
    Optional<String> tenantClaim = m.string("tenant-claim").filter(s -> !s.isEmpty());
    Optional<String> roleClaim = m.string("role-claim").filter(s -> !s.isEmpty());
    Optional<Duration> leeway = m.duration("leeway");
    leeway.filter(Duration::isNegative).ifPresent(l -> m.error("leeway", "must not be negative"));
    Optional<Boolean> remote = m.bool("remote-anonymous");
    m.rejectUnknown();
    return new ServeFile.Auth(secret, pem, tenantClaim, roleClaim, leeway, remote);
  }

  private ServeFile.Tenants tenants(YamlMap m) {
    Optional<Duration> idle = m.positiveDuration("idle-timeout");
    Optional<Duration> park = m.duration("park-after");
    park.filter(Duration::isNegative)
        .ifPresent(d -> m.error("park-after", "must be 0 or more (0s = never park), got " + GoDuration.format(d)));
    Optional<Integer> maxHot = atLeastOne(m, "max-hot");
    Optional<Long> disk = m.size("disk-budget");
    Optional<Duration> lease = m.positiveDuration("lease-ttl");
    lease.filter(l -> l.toMillis() < 600).ifPresent(l -> m.error("lease-ttl", "must be at least 600ms"));
    Optional<Integer> readers = atLeastOne(m, "max-readers");
    Optional<Duration> busy = m.positiveDuration("busy-timeout");
    m.rejectUnknown();
    return new ServeFile.Tenants(idle, park.filter(d -> !d.isNegative()), maxHot, disk, lease, readers, busy);
  }

  /** {@code host:port}, {@code :port}, {@code [v6]:port}; port 0..65535. */
  static boolean validAddr(String a) {
    int colon = a.lastIndexOf(':');
    if (colon < 0 || colon == a.length() - 1) {
      return false;
    }
    String port = a.substring(colon + 1);
    return port.length() <= 5 && port.chars().allMatch(Character::isDigit) && Integer.parseInt(port) <= 65535;
  }

  private Optional<String> replica(YamlMap root, String raw) {
    try {
      ReplicaUrl.checkSupported(raw);
    } catch (IllegalArgumentException e) {
      root.error("replica", e.getMessage());
      return Optional.empty();
    }
    // A bare path is a local directory, relative to the working directory like every path here.
    return Optional.of(ReplicaUrl.isUrl(raw) ? raw : context.expandPath(raw).toString());
  }

  private Optional<String> readFile(YamlMap m, String key, String file) {
    Path p = context.expandPath(file);
    try {
      return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      m.error(key, "file not found: " + p);
    } catch (IOException e) {
      m.error(key, "cannot read " + p + ": " + e.getMessage());
    }
    return Optional.empty();
  }


  private static Optional<Integer> atLeastOne(YamlMap m, String key) {
    Optional<Long> n = m.integer(key);
    if (n.isPresent() && (n.get() < 1 || n.get() > Integer.MAX_VALUE)) {
      m.error(key, "must be 1.." + Integer.MAX_VALUE + ", got " + n.get());
      return Optional.empty();
    }
    return n.map(Long::intValue);
  }

  private static Optional<Long> positiveSize(YamlMap m, String key) {
    Optional<Long> n = m.size(key);
    if (n.isPresent() && n.get() < 1) {
      m.error(key, "must be greater than 0");
      return Optional.empty();
    }
    return n;
  }
}
