package dev.runnel.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds an {@link S3Replica} from replica keys and/or an {@code s3://} or {@code gs://} URL, with
 * Litestream's precedence: keys on the replica, then the URL (host, then query), then environment
 * and provider defaults.
 */
final class S3ReplicaBuilder {
  private final Map<String, String> env;
  private final Problems problems;
  private final LoadContext context;

  S3ReplicaBuilder(Map<String, String> env, Problems problems, LoadContext context) {
    this.env = env;
    this.problems = problems;
    this.context = context;
  }

  Optional<ReplicaDestination> build(
      YamlMap m, String type, Optional<String> pathKey, Optional<ReplicaUrl> url, ReplicaSettings s) {
    boolean gcs = type.equals("gs");
    boolean ok = true;

    String bucket = s.string("bucket").orElse("");
    String path = pathKey.orElse("");
    Optional<String> region = s.string("region");
    Optional<String> endpoint = s.string("endpoint").map(S3ReplicaBuilder::ensureScheme);
    Optional<Boolean> forcePathStyle = s.bool("force-path-style");
    Optional<Boolean> signPayload = s.bool("sign-payload");
    Optional<Boolean> requireMd5 = s.bool("require-content-md5");
    Optional<Boolean> skipVerify = s.bool("skip-verify");
    Optional<String> storageClass = s.string("storage-class");
    Optional<Long> partSize = s.number("part-size");
    Optional<Long> concurrency = s.number("concurrency");
    Optional<String> sseAlgorithm = s.string("sse-customer-algorithm");
    Optional<Secret> sseKey = s.secret("sse-customer-key");
    Optional<String> sseKeyPath = s.string("sse-customer-key-path");
    Optional<String> kmsKeyId = s.string("sse-kms-key-id");
    boolean hostImpliesPathStyle = false;

    if (url.isPresent()) {
      ReplicaUrl u = url.get();
      if (pathKey.isEmpty()) {
        path = u.path();
      }
      String uBucket = u.host();
      if (!gcs && !u.host().toLowerCase(Locale.ROOT).startsWith("arn:")) {
        ReplicaUrl.S3Host host = ReplicaUrl.S3Host.parse(u.host());
        uBucket = host.bucket();
        region = region.or(host::region);
        endpoint = endpoint.or(host::endpoint);
        hostImpliesPathStyle = host.forcePathStyle();
      } else if (!gcs) {
        region = region.or(() -> arnRegion(u.host()));
      }
      if (bucket.isEmpty()) {
        bucket = uBucket;
      }
      try {
        // Query parameters fill what the keys left unset.
        Optional<String> qEndpoint = u.query("endpoint", "endpoint");
        if (endpoint.isEmpty() && qEndpoint.isPresent()) {
          String e = qEndpoint.get();
          endpoint = Optional.of(e.startsWith("http://") || e.startsWith("https://") ? e : "http://" + e);
        }
        region = region.or(() -> u.query("region", "region"));
        forcePathStyle = forcePathStyle.or(() -> queryBool(u, "forcePathStyle", "force-path-style"));
        skipVerify = skipVerify.or(() -> queryBool(u, "skipVerify", "skip-verify"));
        signPayload = signPayload.or(() -> queryBool(u, "signPayload", "sign-payload"));
        requireMd5 = requireMd5.or(() -> queryBool(u, "requireContentMD5", "require-content-md5"));
        storageClass = storageClass.or(() -> u.query("storageClass", "storage-class"));
        if (partSize.isEmpty()) {
          partSize = u.query("partSize", "part-size").map(ByteSize::parse);
        }
        if (concurrency.isEmpty()) {
          concurrency = u.query("concurrency", "concurrency").map(S3ReplicaBuilder::queryInt);
        }
        sseAlgorithm = sseAlgorithm.or(() -> u.query("sseCustomerAlgorithm", "sse-customer-algorithm"));
        sseKey = sseKey.or(() -> u.query("sseCustomerKey", "sse-customer-key").map(Secret::new));
        sseKeyPath = sseKeyPath.or(() -> u.query("sseCustomerKeyPath", "sse-customer-key-path"));
        kmsKeyId = kmsKeyId.or(() -> u.query("sseKmsKeyId", "sse-kms-key-id"));
      } catch (IllegalArgumentException e) {
        m.error("url", e.getMessage() + " in \"" + m.string("url").orElse("") + "\"");
        ok = false;
      }
      if (!gcs && endpoint.isEmpty()) {
        endpoint = Optional.ofNullable(env.get("LITESTREAM_S3_ENDPOINT"))
            .filter(e -> !e.isEmpty())
            .map(S3ReplicaBuilder::ensureScheme);
      }
    }
    if (gcs && endpoint.isEmpty()) {
      endpoint = Optional.of(S3Replica.GCS_ENDPOINT);
    }

    if (bucket.isEmpty()) {
      problems.error(
          m.line(),
          m.path(),
          "bucket required for " + type + " replica (set 'bucket', or use url: " + type
              + "://BUCKET/PATH)");
      ok = false;
    }
    if (partSize.isPresent() && partSize.get() <= 0) {
      problems.error(lineOf(m, s, "part-size"), keyOf(m, s, "part-size"), "must be greater than 0");
      ok = false;
    }
    if (concurrency.isPresent() && (concurrency.get() <= 0 || concurrency.get() > Integer.MAX_VALUE)) {
      problems.error(lineOf(m, s, "concurrency"), keyOf(m, s, "concurrency"), "must be greater than 0");
      ok = false;
    }
    if (!ok) {
      return Optional.empty();
    }

    String host = endpointHost(endpoint.orElse(""));
    boolean tigris = host.equals("fly.storage.tigris.dev") || host.equals("t3.storage.dev");
    boolean r2 = host.endsWith(".r2.cloudflarestorage.com");
    boolean pathStyleProvider =
        host.endsWith(".backblazeb2.com") || host.equals("s3.filebase.com") || isMinio(host);

    boolean pathStyle =
        forcePathStyle.orElse(endpoint.isPresent() || hostImpliesPathStyle || pathStyleProvider);
    OptionalInt conc =
        concurrency.isPresent()
            ? OptionalInt.of(concurrency.get().intValue())
            : (r2 ? OptionalInt.of(2) : OptionalInt.empty());

    S3Replica.Credentials credentials = credentials(s);
    if (gcs && credentials.accessKeyId().isEmpty()) {
      problems.warn(
          m.line(),
          m.path() + ": gs replica has no HMAC keys; Runnel reaches GCS through its S3"
              + " interoperability API and needs access-key-id/secret-access-key (or"
              + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); GOOGLE_APPLICATION_CREDENTIALS is not used");
    }
    Optional<Secret> finalSseKey = sseKey;
    Optional<String> finalSseKeyPath = sseKeyPath;
    S3Replica.Sse sse =
        new S3Replica.Sse(
            sseAlgorithm.or(
                () -> finalSseKey.isPresent() || finalSseKeyPath.isPresent()
                    ? Optional.of("AES256")
                    : Optional.empty()),
            sseKey,
            sseKeyPath.map(context::expandPath),
            kmsKeyId);

    return Optional.of(
        new S3Replica(
            gcs ? S3Replica.Flavor.GCS : S3Replica.Flavor.S3,
            bucket,
            path,
            region,
            endpoint,
            pathStyle,
            credentials,
            signPayload.orElse(true),
            requireMd5.orElse(!tigris),
            skipVerify.orElse(false),
            storageClass,
            partSize.orElse(S3Replica.DEFAULT_PART_SIZE),
            conc,
            sse));
  }

  /**
   * Keys from the config win; otherwise the AWS variables, which already include Litestream's
   * {@code LITESTREAM_*} aliases (see {@link LoadContext#effectiveEnv()}); otherwise the SDK chain.
   */
  private S3Replica.Credentials credentials(ReplicaSettings s) {
    Optional<String> id = s.string("access-key-id");
    Optional<Secret> secret = s.secret("secret-access-key");
    if (id.isPresent() || secret.isPresent()) {
      if (id.isEmpty() || secret.isEmpty()) {
        String missing = id.isEmpty() ? "access-key-id" : "secret-access-key";
        String present = id.isEmpty() ? "secret-access-key" : "access-key-id";
        ReplicaSettings.Setting at = s.setting(present).orElseThrow();
        problems.warn(
            at.line(),
            at.keyPath() + " is set but " + missing
                + " is not; both are needed, so the default credential chain is used");
        return S3Replica.Credentials.defaultChain();
      }
      return new S3Replica.Credentials(id, secret, "config");
    }
    String envId = env.get("AWS_ACCESS_KEY_ID");
    String envSecret = env.get("AWS_SECRET_ACCESS_KEY");
    if (envId != null && !envId.isEmpty() && envSecret != null && !envSecret.isEmpty()) {
      boolean aliased =
          envId.equals(env.get("LITESTREAM_ACCESS_KEY_ID"))
              && !context.env().containsKey("AWS_ACCESS_KEY_ID");
      return new S3Replica.Credentials(
          Optional.of(envId),
          Optional.of(new Secret(envSecret)),
          aliased ? "env LITESTREAM_ACCESS_KEY_ID" : "env AWS_ACCESS_KEY_ID");
    }
    return S3Replica.Credentials.defaultChain();
  }

  private static int lineOf(YamlMap m, ReplicaSettings s, String key) {
    return s.setting(key).map(ReplicaSettings.Setting::line).orElse(m.lineOf("url"));
  }

  private static String keyOf(YamlMap m, ReplicaSettings s, String key) {
    return s.setting(key).map(ReplicaSettings.Setting::keyPath).orElse(m.keyPath("url"));
  }

  private static Optional<Boolean> queryBool(ReplicaUrl u, String camel, String kebab) {
    Optional<String> v = u.query(camel, kebab);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true", "1", "t", "yes" -> Optional.of(true);
      case "false", "0", "f", "no" -> Optional.of(false);
      default ->
          throw new IllegalArgumentException(
              "invalid boolean " + camel + "=" + v.get() + " (expected true or false)");
    };
  }

  private static long queryInt(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid number concurrency=" + v);
    }
  }

  private static Optional<String> arnRegion(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length >= 4 && !parts[3].isEmpty() ? Optional.of(parts[3]) : Optional.empty();
  }

  /** Adds {@code http://} for local/private hosts and {@code https://} otherwise (Litestream's rule). */
  static String ensureScheme(String endpoint) {
    if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
      return endpoint;
    }
    String host = endpoint.toLowerCase(Locale.ROOT);
    int colon = host.lastIndexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    boolean local =
        host.equals("localhost")
            || host.equals("127.0.0.1")
            || host.startsWith("192.168.")
            || host.startsWith("10.")
            || host.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
            || host.endsWith(".local")
            || host.endsWith(".localhost");
    return (local ? "http://" : "https://") + endpoint;
  }

  private static String endpointHost(String endpoint) {
    String e = endpoint.toLowerCase(Locale.ROOT).strip();
    int sep = e.indexOf("://");
    if (sep >= 0) {
      e = e.substring(sep + 3);
    }
    int slash = e.indexOf('/');
    return slash < 0 ? e : e.substring(0, slash);
  }

  private static boolean isMinio(String host) {
    // A custom endpoint with a port that is not a known cloud provider.
    return host.contains(":")
        && !host.contains(".amazonaws.com")
        && !host.contains(".digitaloceanspaces.com")
        && !host.contains(".r2.cloudflarestorage.com")
        && !host.contains("tigris.dev")
        && !host.contains(".scw.cloud");
  }
}
