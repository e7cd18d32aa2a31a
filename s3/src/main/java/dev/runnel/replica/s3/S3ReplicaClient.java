package dev.runnel.replica.s3;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A replica in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, GCS through its S3
 * interoperability endpoint), in Litestream 0.5's exact S3 layout (replica-layout.md §1, §4, §5):
 *
 * <ul>
 *   <li>Object keys are {@code <path>/<level as %04x>/<min>-<max>.ltx}, e.g. {@code db/0000/…},
 *       {@code db/0009/…}, with no {@code ltx/} component; for {@code gs} they are
 *       {@code <path>/ltx/<level>/<min>-<max>.ltx} like Litestream's GCS client. A URL without a path gives the path
 *       {@code .}, so keys start {@code ./0000/}, exactly as Litestream does.</li>
 *   <li>Every object carries the metadata {@code litestream-timestamp} (header
 *       {@code x-amz-meta-litestream-timestamp}): the LTX header timestamp in Go's
 *       {@code time.RFC3339Nano} form in UTC (fraction without trailing zeros).</li>
 *   <li>{@link #list} pages through ListObjectsV2 from {@code start-after}; createdAt is
 *       LastModified, or with {@code exactTimestamps} the metadata read by one HEAD per object
 *       (at most 50 in flight), falling back to LastModified when an object has none.</li>
 *   <li>{@link #write} checks the 100-byte LTX header before sending anything, then uploads with
 *       one PutObject below {@link Config#partSize()} or a multipart upload above it. Parts stream
 *       from the input; at most {@code concurrency + 1} part buffers exist at once, whatever the
 *       file size. A failed multipart upload is aborted. Either way the object becomes visible only
 *       whole (S3 makes a PutObject or CompleteMultipartUpload atomic).</li>
 *   <li>{@link #open} uses a ranged GET ({@code Range: bytes=off-end}); the returned stream checks
 *       the byte count against Content-Length and throws on a short body instead of returning
 *       truncated data.</li>
 *   <li>Transient failures (throttling such as {@code SlowDown}/503, other 5xx, connection errors)
 *       are retried by the SDK's standard strategy with exponential backoff and jitter, up to
 *       {@link Config#maxAttempts()} attempts. What still fails surfaces as an {@link IOException}
 *       naming the operation, the key, the HTTP status and the S3 error code.</li>
 *   <li>{@link #conditionalStore()} keeps small objects at {@code <path>/<name>}; see
 *       {@link S3ConditionalStore}.</li>
 *   <li>{@link #stats()} counts operations, bytes and errors per operation type.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close} is idempotent and releases the HTTP client and worker threads.
 */
public final class S3ReplicaClient implements ReplicaClient {
  /** Object metadata key of the LTX header timestamp (without the {@code x-amz-meta-} prefix). */
  public static final String METADATA_TIMESTAMP = "litestream-timestamp";
  static final int MAX_DELETE_BATCH = 1000;
  static final int HEAD_PARALLELISM = 50;

  /**
   * How {@link ConditionalStore#deleteIfUnchanged} is carried out.
   *
   * <ul>
   *   <li>{@code NATIVE}: DeleteObject with {@code If-Match} (AWS S3 since 2025, MinIO, R2).</li>
   *   <li>{@code TOMBSTONE}: an {@code If-Match} PutObject replacing the object with a small
   *       tombstone that reads as absent; safe on servers that ignore {@code If-Match} on DELETE
   *       (an ignored header would turn a conditional delete into an unconditional one).</li>
   *   <li>{@code AUTO} (default): probe the server once with a DELETE carrying a wrong etag on a
   *       private probe key; a 412 means NATIVE, anything else TOMBSTONE.</li>
   * </ul>
   */
  public enum ConditionalDelete { AUTO, NATIVE, TOMBSTONE }

  /**
   * Settings of one S3 replica. Build with {@link #builder(String)} or {@link #fromUrl}.
   *
   * @param type              {@code s3} or {@code gs} (reported by {@link #type()})
   * @param bucket            bucket name
   * @param path              key prefix without leading or trailing slash; {@code .} for none
   * @param region            signing region; null = default region chain, else {@code us-east-1}
   *                          with cross-region access (AWS only)
   * @param endpoint          custom endpoint URL (MinIO, R2, GCS); null = AWS
   * @param forcePathStyle    path-style addressing ({@code endpoint/bucket/key})
   * @param accessKeyId       explicit key id, or null for the SDK default chain (env, system
   *                          properties, profile, container/instance credentials)
   * @param secretAccessKey   explicit secret, or null; never printed
   * @param partSize          multipart threshold and part size in bytes (S3 needs &ge; 5 MiB for
   *                          all parts but the last)
   * @param concurrency       parts uploaded in parallel by one write
   * @param skipVerify        trust any TLS certificate and host name (test endpoints only)
   * @param storageClass      storage class for new objects, or null
   * @param signPayload       sign the SHA-256 of request bodies (SigV4); false sends
   *                          {@code UNSIGNED-PAYLOAD}
   * @param requireContentMD5 send Content-MD5 on uploads and DeleteObjects
   * @param connectTimeout    TCP connect timeout
   * @param readTimeout       socket read timeout (no data for this long fails the attempt)
   * @param maxAttempts       attempts per request including the first (SDK standard retries)
   * @param retryBaseDelay    base of the exponential backoff with jitter
   * @param retryMaxDelay     cap of one backoff delay
   * @param listPageSize      ListObjectsV2 max-keys (1..1000)
   * @param conditionalDelete see {@link ConditionalDelete}
   */
  public record Config(
      String type, String bucket, String path, String region, String endpoint, boolean forcePathStyle,
      String accessKeyId, String secretAccessKey, long partSize, int concurrency, boolean skipVerify,
      String storageClass, boolean signPayload, boolean requireContentMD5, Duration connectTimeout,
      Duration readTimeout, int maxAttempts, Duration retryBaseDelay, Duration retryMaxDelay,
      int listPageSize, ConditionalDelete conditionalDelete) {

    public Config {
      Objects.requireNonNull(type, "type");
      if (bucket == null || bucket.isEmpty()) {
        throw new IllegalArgumentException("S3 bucket is required");
      }
      if (path == null || path.isEmpty()) {
        path = ".";
      }
      if (partSize < 1024) {
        throw new IllegalArgumentException("part size " + partSize + " too small: expected >= 1024 bytes (S3 needs 5 MiB)");
      }
      if (partSize > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("part size " + partSize + " too large: at most 2 GiB");
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
      }
      if (listPageSize < 1 || listPageSize > 1000) {
        throw new IllegalArgumentException("listPageSize must be 1..1000, got " + listPageSize);
      }
      if ((accessKeyId == null) != (secretAccessKey == null)) {
        throw new IllegalArgumentException("access key id and secret access key must be given together");
      }
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
      Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
      Objects.requireNonNull(conditionalDelete, "conditionalDelete");
    }

    /** A builder for {@code bucket} with Litestream's defaults. */
    public static Builder builder(String bucket) {
      return new Builder().bucket(bucket);
    }

    /**
     * Settings from a replica URL ({@code s3://bucket/path?endpoint=…&region=…},
     * {@code gs://bucket/path}) and options (URL query parameters merged with config keys, in
     * camelCase or kebab-case). {@code env} supplies {@code LITESTREAM_ACCESS_KEY_ID},
     * {@code LITESTREAM_SECRET_ACCESS_KEY} (used when {@code AWS_ACCESS_KEY_ID} is unset) and
     * {@code LITESTREAM_S3_ENDPOINT} (used when no endpoint is given; turns on path style).
     */
    public static Config fromUrl(URI url, Map<String, String> options, Map<String, String> env) {
      Builder b = new Builder();
      S3Config.applyUrl(b, url);
      b.options(options);
      b.env(env);
      return b.build();
    }

    /** A copy with different settings. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.type = type;
      b.bucket = bucket;
      b.path = path;
      b.region = region;
      b.endpoint = endpoint;
      b.forcePathStyle = forcePathStyle;
      b.accessKeyId = accessKeyId;
      b.secretAccessKey = secretAccessKey;
      b.partSize = partSize;
      b.concurrency = concurrency;
      b.skipVerify = skipVerify;
      b.storageClass = storageClass;
      b.signPayload = signPayload;
      b.requireContentMD5 = requireContentMD5;
      b.connectTimeout = connectTimeout;
      b.readTimeout = readTimeout;
      b.maxAttempts = maxAttempts;
      b.retryBaseDelay = retryBaseDelay;
      b.retryMaxDelay = retryMaxDelay;
      b.listPageSize = listPageSize;
      b.conditionalDelete = conditionalDelete;
      return b;
    }

    /** {@code s3://bucket/path}, the location without secrets. */
    public String location() {
      return type + "://" + bucket + "/" + path;
    }

    @Override
    public String toString() {
      return "Config[" + location() + ", endpoint=" + endpoint + ", region=" + region + ", pathStyle="
          + forcePathStyle + ", accessKeyId=" + (accessKeyId == null ? "default chain" : accessKeyId)
          + ", partSize=" + partSize + ", concurrency=" + concurrency + ", maxAttempts=" + maxAttempts + "]";
    }

    /** Mutable builder; {@link #build()} applies the defaults that depend on other settings. */
    public static final class Builder {
      private String type = "s3";
      private String bucket;
      private String path = ".";
      private String region;
      private String endpoint;
      private Boolean forcePathStyle;
      private String accessKeyId;
      private String secretAccessKey;
      private long partSize = S3Config.DEFAULT_PART_SIZE;
      private int concurrency = 2;
      private boolean skipVerify;
      private String storageClass;
      private boolean signPayload = true;
      private Boolean requireContentMD5;
      private Duration connectTimeout = Duration.ofSeconds(10);
      private Duration readTimeout = Duration.ofSeconds(60);
      private int maxAttempts = 5;
      private Duration retryBaseDelay = Duration.ofMillis(100);
      private Duration retryMaxDelay = Duration.ofSeconds(10);
      private int listPageSize = 1000;
      private ConditionalDelete conditionalDelete = ConditionalDelete.AUTO;
      private Map<String, String> env = Map.of();

      private Builder() {}

      public Builder type(String v) {
        type = v;
        return this;
      }

      public Builder bucket(String v) {
        bucket = v;
        return this;
      }

      /** Key prefix as in Litestream's {@code path:} key; leading and trailing slashes are dropped. */
      public Builder path(String v) {
        String p = v == null ? "" : v;
        while (p.startsWith("/")) {
          p = p.substring(1);
        }
        while (p.endsWith("/")) {
          p = p.substring(0, p.length() - 1);
        }
        path = p.isEmpty() ? "." : p;
        return this;
      }

      public Builder region(String v) {
        region = blankToNull(v);
        return this;
      }

      public Builder endpoint(String v) {
        endpoint = blankToNull(v);
        return this;
      }

      public Builder forcePathStyle(boolean v) {
        forcePathStyle = v;
        return this;
      }

      public Builder credentials(String keyId, String secret) {
        accessKeyId = blankToNull(keyId);
        secretAccessKey = blankToNull(secret);
        return this;
      }

      public Builder partSize(long v) {
        partSize = v;
        return this;
      }

      public Builder concurrency(int v) {
        concurrency = v;
        return this;
      }

      public Builder skipVerify(boolean v) {
        skipVerify = v;
        return this;
      }

      public Builder storageClass(String v) {
        storageClass = blankToNull(v);
        return this;
      }

      public Builder signPayload(boolean v) {
        signPayload = v;
        return this;
      }

      public Builder requireContentMD5(boolean v) {
        requireContentMD5 = v;
        return this;
      }

      public Builder connectTimeout(Duration v) {
        connectTimeout = v;
        return this;
      }

      public Builder readTimeout(Duration v) {
        readTimeout = v;
        return this;
      }

      public Builder maxAttempts(int v) {
        maxAttempts = v;
        return this;
      }

      public Builder retryDelays(Duration base, Duration max) {
        retryBaseDelay = base;
        retryMaxDelay = max;
        return this;
      }

      public Builder listPageSize(int v) {
        listPageSize = v;
        return this;
      }

      public Builder conditionalDelete(ConditionalDelete v) {
        conditionalDelete = v;
        return this;
      }

      /** The environment for the {@code LITESTREAM_*} aliases (default: none). */
      public Builder env(Map<String, String> v) {
        env = Map.copyOf(v);
        return this;
      }

      /**
       * Applies options by name, camelCase or kebab-case: endpoint, region, bucket, path,
       * forcePathStyle, accessKeyId, secretAccessKey, partSize (bytes or 5MB/5MiB), concurrency,
       * skipVerify, storageClass, signPayload, requireContentMD5, connectTimeout, readTimeout,
       * maxAttempts, listPageSize, conditionalDelete. Unknown keys are ignored.
       */
      public Builder options(Map<String, String> options) {
        Map<String, String> o = S3Config.normalise(options);
        if (o.containsKey("bucket")) {
          bucket(o.get("bucket"));
        }
        if (o.containsKey("path")) {
          path(o.get("path"));
        }
        if (o.containsKey("endpoint")) {
          endpoint(o.get("endpoint"));
        }
        if (o.containsKey("region")) {
          region(o.get("region"));
        }
        if (o.containsKey("forcepathstyle")) {
          forcePathStyle(S3Config.parseBool("forcePathStyle", o.get("forcepathstyle")));
        }
        if (o.containsKey("accesskeyid") || o.containsKey("secretaccesskey")) {
          credentials(o.get("accesskeyid"), o.get("secretaccesskey"));
        }
        if (o.containsKey("partsize")) {
          partSize(S3Config.parseSize("partSize", o.get("partsize")));
        }
        if (o.containsKey("concurrency")) {
          concurrency(Integer.parseInt(o.get("concurrency").trim()));
        }
        if (o.containsKey("skipverify")) {
          skipVerify(S3Config.parseBool("skipVerify", o.get("skipverify")));
        }
        if (o.containsKey("storageclass")) {
          storageClass(o.get("storageclass"));
        }
        if (o.containsKey("signpayload")) {
          signPayload(S3Config.parseBool("signPayload", o.get("signpayload")));
        }
        if (o.containsKey("requirecontentmd5")) {
          requireContentMD5(S3Config.parseBool("requireContentMD5", o.get("requirecontentmd5")));
        }
        if (o.containsKey("connecttimeout")) {
          connectTimeout(S3Config.parseDuration("connectTimeout", o.get("connecttimeout")));
        }
        if (o.containsKey("readtimeout")) {
          readTimeout(S3Config.parseDuration("readTimeout", o.get("readtimeout")));
        }
        if (o.containsKey("maxattempts")) {
          maxAttempts(Integer.parseInt(o.get("maxattempts").trim()));
        }
        if (o.containsKey("listpagesize")) {
          listPageSize(Integer.parseInt(o.get("listpagesize").trim()));
        }
        if (o.containsKey("conditionaldelete")) {
          conditionalDelete(ConditionalDelete.valueOf(o.get("conditionaldelete").trim().toUpperCase(Locale.ROOT)));
        }
        return this;
      }

      public Config build() {
        String ep = endpoint;
        Boolean pathStyle = forcePathStyle;
        if (ep == null && env.get("LITESTREAM_S3_ENDPOINT") != null && !env.get("LITESTREAM_S3_ENDPOINT").isBlank()) {
          ep = env.get("LITESTREAM_S3_ENDPOINT").trim();
        }
        if (pathStyle == null) {
          pathStyle = ep != null;
        }
        String id = accessKeyId;
        String secret = secretAccessKey;
        boolean awsEnvSet = env.get("AWS_ACCESS_KEY_ID") != null && !env.get("AWS_ACCESS_KEY_ID").isBlank();
        if (id == null && !awsEnvSet) {
          id = blankToNull(env.get("LITESTREAM_ACCESS_KEY_ID"));
          secret = blankToNull(env.get("LITESTREAM_SECRET_ACCESS_KEY"));
          if (id == null || secret == null) {
            id = null;
            secret = null;
          }
        }
        String reg = region;
        if (reg == null && ep != null) {
          reg = "us-east-1";
        }
        boolean md5 = requireContentMD5 != null ? requireContentMD5 : true;
        return new Config(type, bucket, path, reg, ep, pathStyle, id, secret, partSize, concurrency, skipVerify,
            storageClass, signPayload, md5, connectTimeout, readTimeout, maxAttempts, retryBaseDelay,
            retryMaxDelay, listPageSize, conditionalDelete);
      }

      private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
      }
    }
  }

  /** The stats of the client whose request runs on this thread; the shared SDK clients' interceptor counts attempts there. */
  private static final ThreadLocal<S3Stats> CURRENT_STATS = new ThreadLocal<>();

  private final Config config;
  private final SharedSdk shared;
  private final S3Client s3;
  /** Same connection pool, but retries only failures that certainly left the server unchanged. */
  private final S3Client s3Conditional;
  private final S3Stats stats = new S3Stats();
  private final ExecutorService workers;
  private final S3ConditionalStore conditional;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean initialised;

  private S3ReplicaClient(Config config) {
    this.config = config;
    this.shared = SharedSdk.acquire(config, S3ReplicaClient::buildShared);
    this.s3 = shared.s3;
    this.s3Conditional = shared.s3Conditional;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "runnel-s3-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.conditional = new S3ConditionalStore(this);
  }

  private static SharedSdk buildShared(SharedSdk.Key key, Config config) {
    SdkHttpClient http = httpClient(config);
    try {
      S3Client s3 = sdkClient(config, http, AwsRetryStrategy.standardRetryStrategy().toBuilder()
          .maxAttempts(config.maxAttempts())
          .backoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay(), config.retryMaxDelay()))
          .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay().multipliedBy(5),
              config.retryMaxDelay()))
          .circuitBreakerEnabled(false)
          .build());
      S3Client s3Conditional = sdkClient(config, http, DefaultRetryStrategy.standardStrategyBuilder()
          .maxAttempts(config.maxAttempts())
          .retryOnException(S3ReplicaClient::certainlyNotApplied)
          .treatAsThrottling(S3ReplicaClient::isThrottling)
          .backoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay(), config.retryMaxDelay()))
          .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay().multipliedBy(5),
              config.retryMaxDelay()))
          .circuitBreakerEnabled(false)
          .useClientDefaults(false)
          .build());
      return new SharedSdk(key, http, s3, s3Conditional);
    } catch (RuntimeException e) {
      http.close();
      throw e;
    }
  }

  /**
   * A client for {@code config}. Does not touch the network; call {@link #init()}. Clients whose
   * connection settings are equal (endpoint, region, credentials, path style, TLS, signing,
   * timeouts and retries; bucket and path may differ) share one HTTP connection pool and SDK
   * client, and what one learned about a bucket (it exists; how the server handles conditional
   * deletes); the last of them to close releases the pool. Each client keeps its own
   * {@link #stats()}.
   */
  public static S3ReplicaClient create(Config config) {
    return new S3ReplicaClient(Objects.requireNonNull(config, "config"));
  }

  /** The settings. */
  public Config config() {
    return config;
  }

  /** Operation counters. */
  public S3Stats stats() {
    return stats;
  }

  /** The underlying SDK client, for tests and tools; shared with clients of equal connection settings. */
  S3Client sdk() {
    return s3;
  }

  /** The SDK client for conditional requests: see {@link #certainlyNotApplied}. */
  S3Client conditionalSdk() {
    return s3Conditional;
  }

  /**
   * Whether a failed attempt certainly did not change the bucket, so that repeating a conditional
   * request cannot turn our own success into a 412: throttling (503 SlowDown / ServiceUnavailable,
   * which S3 documents as not processed) and connections that were never established. A reset or
   * timeout after the request was sent, or a 500, is ambiguous and not retried.
   */
  static boolean certainlyNotApplied(Throwable t) {
    if (isThrottling(t)) {
      return true;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof java.net.NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  static boolean isThrottling(Throwable t) {
    if (t instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      return se.statusCode() == 503 || se.statusCode() == 429 || "SlowDown".equals(code)
          || "Throttling".equals(code) || "RequestLimitExceeded".equals(code);
    }
    return false;
  }

  // ---- keys ----------------------------------------------------------------------------------

  /**
   * {@code <path>/<level %04x>/} for S3, {@code <path>/ltx/<level>/} for GCS: Litestream's GCS
   * client uses the file-style layout (replica-layout.md §1), so existing GCS replicas read back.
   */
  public String levelPrefix(int level) {
    LtxFileInfo.checkLevel(level);
    if (config.type().equals("gs")) {
      return config.path() + "/ltx/" + level + "/";
    }
    return config.path() + "/" + String.format("%04x", level) + "/";
  }

  /** {@link #levelPrefix} followed by {@code <min>-<max>.ltx}. */
  public String key(int level, TxId min, TxId max) {
    return levelPrefix(level) + LtxFileName.of(min, max);
  }

  /** The key of a conditional-store object: {@code <path>/<name>}. */
  String objectKey(String name) {
    return config.path() + "/" + name;
  }

  // ---- ReplicaClient -------------------------------------------------------------------------

  @Override
  public String type() {
    return config.type();
  }

  @Override
  public String describe() {
    String where = config.endpoint() != null ? " (endpoint " + config.endpoint() + ")"
        : config.region() != null ? " (region " + config.region() + ")" : "";
    return config.location() + where;
  }

  @Override
  public void init() throws IOException {
    checkOpen();
    if (initialised) {
      return;
    }
    if (shared.bucketVerified(config.bucket())) {
      initialised = true; // another client on the same connection settings saw it
      return;
    }
    stats.op(Op.HEAD);
    S3Stats prev = CURRENT_STATS.get();
    CURRENT_STATS.set(stats);
    try {
      s3.headBucket(r -> r.bucket(config.bucket()));
      shared.markBucketVerified(config.bucket());
    } catch (SdkException e) {
      String code = errorCode(e);
      stats.error(Op.HEAD, code);
      String endpoint = config.endpoint() != null ? config.endpoint() : "AWS";
      throw new IOException("S3 bucket \"" + config.bucket() + "\" is not reachable at endpoint " + endpoint
          + " (region " + (config.region() == null ? "default" : config.region()) + "): " + describeError(e), e);
    } finally {
      restoreStats(prev);
    }
    initialised = true;
  }

  /**
   * One ListObjectsV2 of {@code <path>/} (paged) instead of one per level: the level is the key's
   * next component ({@code %04x}, or {@code ltx/<level>} for GCS). Keys of any other shape (the
   * conditional store's objects, deeper paths) are skipped.
   */
  @Override
  public Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    checkOpen();
    String prefix = config.path() + "/";
    String[] levelPrefixes = new String[LtxFileInfo.MAX_LEVEL + 1];
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      levelPrefixes[level] = levelPrefix(level);
    }
    Map<Integer, List<LtxFileInfo>> out = new java.util.TreeMap<>();
    String token = null;
    do {
      ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix)
          .maxKeys(config.listPageSize());
      if (token != null) {
        req.continuationToken(token);
      }
      ListObjectsV2Response resp = call(Op.LIST, prefix, () -> s3.listObjectsV2(req.build()));
      for (S3Object o : resp.contents()) {
        String key = o.key();
        int level = -1;
        for (int l = 0; l <= LtxFileInfo.MAX_LEVEL && level < 0; l++) {
          if (key.startsWith(levelPrefixes[l]) && key.indexOf('/', levelPrefixes[l].length()) < 0) {
            level = l;
          }
        }
        if (level < 0) {
          continue;
        }
        Optional<LtxFileName> name = LtxFileName.parse(key.substring(levelPrefixes[level].length()));
        if (name.isEmpty()) {
          continue;
        }
        Instant created = o.lastModified() != null ? o.lastModified() : Instant.EPOCH;
        out.computeIfAbsent(level, k -> new ArrayList<>())
            .add(new LtxFileInfo(level, name.get(), o.size() == null ? 0 : o.size(), created));
      }
      token = Boolean.TRUE.equals(resp.isTruncated()) ? resp.nextContinuationToken() : null;
    } while (token != null);
    for (List<LtxFileInfo> files : out.values()) {
      files.sort(Comparator.comparing(LtxFileInfo::name));
    }
    return out;
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    Objects.requireNonNull(seek, "seek");
    String prefix = levelPrefix(level);
    checkOpen();
    List<S3Object> objects = new ArrayList<>();
    String token = null;
    String startAfter = seek.equals(TxId.ZERO) ? null : prefix + LtxFileName.of(seek, seek).toString().substring(0, 16);
    do {
      ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix)
          .maxKeys(config.listPageSize());
      if (token != null) {
        req.continuationToken(token);
      } else if (startAfter != null) {
        req.startAfter(startAfter);
      }
      ListObjectsV2Response resp = call(Op.LIST, prefix, () -> s3.listObjectsV2(req.build()));
      objects.addAll(resp.contents());
      token = Boolean.TRUE.equals(resp.isTruncated()) ? resp.nextContinuationToken() : null;
    } while (token != null);

    List<LtxFileInfo> out = new ArrayList<>();
    List<S3Object> kept = new ArrayList<>();
    for (S3Object o : objects) {
      String rest = o.key().substring(prefix.length());
      if (rest.indexOf('/') >= 0) {
        continue;
      }
      Optional<LtxFileName> name = LtxFileName.parse(rest);
      if (name.isEmpty() || name.get().min().isBefore(seek)) {
        continue;
      }
      kept.add(o);
      Instant created = o.lastModified() != null ? o.lastModified() : Instant.EPOCH;
      out.add(new LtxFileInfo(level, name.get(), o.size() == null ? 0 : o.size(), created));
    }
    if (exactTimestamps && !out.isEmpty()) {
      out = withHeaderTimestamps(out, kept);
    }
    out.sort(Comparator.comparing(LtxFileInfo::name));
    return out;
  }

  /** Replaces LastModified by the metadata timestamp, one HEAD per object, bounded in parallel. */
  private List<LtxFileInfo> withHeaderTimestamps(List<LtxFileInfo> files, List<S3Object> objects) throws IOException {
    Semaphore permits = new Semaphore(HEAD_PARALLELISM);
    List<Future<Optional<LtxFileInfo>>> futures = new ArrayList<>(files.size());
    try {
      for (int i = 0; i < files.size(); i++) {
        LtxFileInfo f = files.get(i);
        String key = objects.get(i).key();
        permits.acquire();
        try {
          futures.add(workers.submit(() -> {
            try {
              Optional<HeadObjectResponse> head = head(key);
              if (head.isEmpty()) {
                return Optional.<LtxFileInfo>empty(); // deleted since the listing
              }
              Instant ts = Optional.ofNullable(head.get().metadata().get(METADATA_TIMESTAMP))
                  .flatMap(Rfc3339::parse).orElse(f.createdAt());
              return Optional.of(new LtxFileInfo(f.level(), f.name(), f.size(), ts));
            } finally {
              permits.release();
            }
          }));
        } catch (RuntimeException e) {
          permits.release();
          throw e;
        }
      }
      List<LtxFileInfo> out = new ArrayList<>(files.size());
      for (Future<Optional<LtxFileInfo>> fu : futures) {
        fu.get().ifPresent(out::add);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(fu -> fu.cancel(true));
      throw new InterruptedIOException("interrupted while listing " + config.location());
    } catch (ExecutionException e) {
      futures.forEach(fu -> fu.cancel(true));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /** HEAD of one key; empty if missing. */
  Optional<HeadObjectResponse> head(String key) throws IOException {
    try {
      return Optional.of(call(Op.HEAD, key, () -> s3.headObject(r -> r.bucket(config.bucket()).key(key)), 404));
    } catch (NotFound e) {
      return Optional.empty();
    }
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    if (length < -1) {
      throw new IllegalArgumentException("invalid length " + length + ": expected >= 0 or -1");
    }
    String key = key(level, min, max);
    checkOpen();
    if (length == 0) {
      if (head(key).isEmpty()) {
        throw new NoSuchFileException(key, null, "no such object in " + config.location());
      }
      return InputStream.nullInputStream();
    }
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(config.bucket()).key(key);
    if (offset > 0 || length > 0) {
      long last = length < 0 || offset > Long.MAX_VALUE - length ? -1 : offset + length - 1;
      req.range("bytes=" + offset + "-" + (last < 0 ? "" : Long.toString(last)));
    }
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = call(Op.GET, key, () -> s3.getObject(req.build()), 404, 416);
    } catch (NotFound e) {
      if (e.status == 416) {
        // Offset at or past the end: the object exists (S3 answers 404 otherwise).
        return InputStream.nullInputStream();
      }
      throw new NoSuchFileException(key, null, "no such object in " + config.location());
    }
    Long expected = in.response().contentLength();
    return new CheckedBodyStream(in, expected == null ? -1 : expected, key, stats);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    Objects.requireNonNull(data, "data");
    String key = key(level, min, max);
    checkOpen();
    byte[] header = new byte[dev.runnel.ltx.LtxHeader.SIZE];
    dev.runnel.ltx.LtxHeader h = dev.runnel.replica.LtxHeaderCheck.read(data, header, min, max, config.location() + ":" + key);
    Instant stamp = Instant.ofEpochMilli(h.timestamp());
    Map<String, String> meta = Map.of(METADATA_TIMESTAMP, Rfc3339.format(stamp));

    int partSize = (int) config.partSize();
    // Grow the first buffer as data arrives, so that the many small L0 files do not each cost a
    // part-sized allocation.
    byte[] first = java.util.Arrays.copyOf(header, Math.min(partSize, 64 * 1024));
    int n = header.length;
    while (true) {
      int r = data.readNBytes(first, n, first.length - n);
      n += r;
      if (n < first.length || first.length == partSize) {
        break;
      }
      first = java.util.Arrays.copyOf(first, (int) Math.min(partSize, 2L * first.length));
    }
    int next = n < partSize ? -1 : data.read();
    long size;
    if (next < 0) {
      byte[] body = n == first.length ? first : java.util.Arrays.copyOf(first, n);
      putObject(key, body, meta);
      size = n;
    } else {
      size = new MultipartUpload(this, key, meta).upload(first, next, data);
    }
    return new LtxFileInfo(level, LtxFileName.of(min, max), size, stamp);
  }

  /** One PutObject of a complete body. */
  void putObject(String key, byte[] body, Map<String, String> meta) throws IOException {
    PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(config.bucket()).key(key).metadata(meta)
        .contentLength((long) body.length);
    if (config.storageClass() != null) {
      req.storageClass(config.storageClass());
    }
    if (config.requireContentMD5()) {
      req.contentMD5(md5(body, 0, body.length));
    }
    call(Op.PUT, key, () -> s3.putObject(req.build(), RequestBody.fromBytes(body)));
    stats.bytes(Op.PUT, body.length);
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    checkOpen();
    List<String> keys = new ArrayList<>(files.size());
    for (LtxFileInfo f : files) {
      keys.add(key(f.level(), f.minTxId(), f.maxTxId()));
    }
    deleteKeys(keys);
  }

  /**
   * DeleteObjects in batches of 1000; missing keys are not errors. For {@code gs} one DeleteObject
   * per key (GCS's XML API has no multi-object delete), at most {@link #HEAD_PARALLELISM} at once.
   */
  void deleteKeys(List<String> keys) throws IOException {
    if (config.type().equals("gs")) {
      deleteEach(keys);
      return;
    }
    for (int i = 0; i < keys.size(); i += MAX_DELETE_BATCH) {
      List<String> batch = keys.subList(i, Math.min(keys.size(), i + MAX_DELETE_BATCH));
      List<ObjectIdentifier> ids = batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      String what = batch.size() == 1 ? batch.get(0) : batch.size() + " keys from " + batch.get(0);
      DeleteObjectsResponse resp = call(Op.DELETE, what, () -> s3.deleteObjects(r -> r.bucket(config.bucket())
          .delete(Delete.builder().objects(ids).quiet(true).build())));
      List<S3Error> errors = resp.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
      if (!errors.isEmpty()) {
        S3Error e = errors.get(0);
        stats.error(Op.DELETE, e.code());
        throw new IOException("S3 DELETE " + location(e.key()) + " failed: " + e.code() + ": " + e.message()
            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
      }
    }
  }

  private void deleteEach(List<String> keys) throws IOException {
    Semaphore permits = new Semaphore(HEAD_PARALLELISM);
    List<Future<Void>> futures = new ArrayList<>();
    try {
      for (String key : keys) {
        permits.acquire();
        try {
          futures.add(workers.submit(() -> {
            try {
              call(Op.DELETE, key, () -> s3.deleteObject(r -> r.bucket(config.bucket()).key(key)), 404);
            } catch (NotFound ignored) {
              // already gone
            } finally {
              permits.release();
            }
            return null;
          }));
        } catch (RuntimeException e) {
          permits.release();
          throw e;
        }
      }
      for (Future<Void> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw new InterruptedIOException("interrupted while deleting from " + config.location());
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /** Deletes the LTX objects of every level ({@code <path>/%04x/<min>-<max>.ltx}) and nothing else. */
  @Override
  public void deleteAll() throws IOException {
    checkOpen();
    List<String> keys = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      for (LtxFileInfo f : list(level, TxId.ZERO, false)) {
        keys.add(key(level, f.minTxId(), f.maxTxId()));
      }
    }
    deleteKeys(keys);
  }

  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return Optional.of(conditional);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      workers.shutdownNow();
      shared.release();
    }
  }

  @Override
  public String toString() {
    return "S3ReplicaClient[" + describe() + "]";
  }

  // ---- plumbing ------------------------------------------------------------------------------

  ExecutorService workers() {
    return workers;
  }

  private void checkOpen() throws IOException {
    if (closed.get()) {
      throw new IOException("S3 replica client for " + config.location() + " is closed");
    }
  }

  String location(String key) {
    return config.type() + "://" + config.bucket() + "/" + key;
  }

  /** An SDK call that may throw. */
  interface SdkCall<T> {
    T run();
  }

  /** Thrown by {@link #call} for an expected status, to be handled by the caller. */
  static final class NotFound extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    NotFound(int status, String code) {
      super("status " + status + " " + code);
      this.status = status;
      this.code = code;
    }
  }

  /**
   * Runs one SDK call (retries are the SDK's), counts it, and maps failures: a status in
   * {@code expected} becomes {@link NotFound}, anything else an {@link IOException} naming the
   * operation, key, status and code.
   */
  <T> T call(Op op, String key, SdkCall<T> c, int... expected) throws IOException {
    stats.op(op);
    S3Stats prev = CURRENT_STATS.get();
    CURRENT_STATS.set(stats);
    try {
      return c.run();
    } catch (SdkException e) {
      int status = e instanceof AwsServiceException se ? se.statusCode() : 0;
      for (int s : expected) {
        if (s == status) {
          throw new NotFound(status, errorCode(e));
        }
      }
      stats.error(op, errorCode(e));
      if (Thread.currentThread().isInterrupted() || hasCause(e, InterruptedException.class)) {
        InterruptedIOException io = new InterruptedIOException("S3 " + op + " " + location(key) + " interrupted");
        io.initCause(e);
        throw io;
      }
      throw new IOException("S3 " + op + " " + location(key) + " failed: " + describeError(e), e);
    } finally {
      restoreStats(prev);
    }
  }

  private static void restoreStats(S3Stats prev) {
    if (prev == null) {
      CURRENT_STATS.remove();
    } else {
      CURRENT_STATS.set(prev);
    }
  }

  /** The shared SDK side (tests). */
  SharedSdk shared() {
    return shared;
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static String errorCode(SdkException e) {
    if (e instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      return code != null && !code.isEmpty() ? code : Integer.toString(se.statusCode());
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  static String describeError(SdkException e) {
    if (e instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      String msg = se.awsErrorDetails() != null ? se.awsErrorDetails().errorMessage() : se.getMessage();
      return "HTTP status " + se.statusCode() + (code != null ? " " + code : "") + (msg != null ? ": " + msg : "")
          + (se.requestId() != null ? " (request id " + se.requestId() + ")" : "");
    }
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e) {
      b.append(" (").append(root.getClass().getName()).append(": ").append(root.getMessage()).append(')');
    }
    return b.toString();
  }

  static String md5(byte[] b, int off, int len) {
    try {
      MessageDigest d = MessageDigest.getInstance("MD5");
      d.update(b, off, len);
      return Base64.getEncoder().encodeToString(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("MD5 is required of every JVM", e);
    }
  }

  private static SdkHttpClient httpClient(Config c) {
    UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
        .connectionTimeout(c.connectTimeout())
        .socketTimeout(c.readTimeout());
    if (c.skipVerify()) {
      b.tlsTrustManagersProvider(() -> new TrustManager[] {new TrustAll()});
      return b.buildWithDefaults(software.amazon.awssdk.utils.AttributeMap.builder()
          .put(software.amazon.awssdk.http.SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
          .build());
    }
    return b.build();
  }

  private static S3Client sdkClient(Config c, SdkHttpClient http, RetryStrategy retry) {
    S3ClientBuilder b = S3Client.builder()
        .httpClient(http)
        .serviceConfiguration(S3Configuration.builder()
            .pathStyleAccessEnabled(c.forcePathStyle())
            // Bodies are in memory; a plain Content-Length upload is what every S3 clone accepts
            // (GCS rejects aws-chunked).
            .chunkedEncodingEnabled(false)
            .expectContinueEnabled(false)
            .build());
    AwsCredentialsProvider creds = c.accessKeyId() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))
        : DefaultCredentialsProvider.builder().build();
    b.credentialsProvider(creds);
    String region = c.region();
    if (region == null) {
      try {
        region = new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (SdkException e) {
        region = "us-east-1";
      }
      b.crossRegionAccessEnabled(true);
    }
    b.region(Region.of(region));
    if (c.endpoint() != null) {
      b.endpointOverride(URI.create(c.endpoint()));
      // SDK >= 2.30 adds CRC checksum headers and trailers that GCS, R2 and older MinIO reject.
      b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
      b.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    if (c.requireContentMD5()) {
      // Content-MD5 on operations that require a checksum (DeleteObjects), as before SDK 2.30.
      b.addPlugin(LegacyMd5Plugin.create());
    }
    S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
    boolean sign = c.signPayload();
    b.authSchemeProvider(params -> defaults.resolveAuthScheme(params).stream()
        .map(o -> o.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, sign).build())
        .toList());
    if (c.endpoint() != null && c.requireContentMD5()) {
      b.putAuthScheme(new Md5OnlyAuthScheme());
    }
    b.overrideConfiguration(o -> o.retryStrategy(retry).addExecutionInterceptor(new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attrs) {
        // The sync SDK client runs a request, retries included, on the caller's thread.
        S3Stats stats = CURRENT_STATS.get();
        if (stats != null) {
          stats.attempt();
        }
      }
    }));
    return b.build();
  }

  /**
   * SigV4 for S3 clones: operations that require a checksum (DeleteObjects) get a CRC32 checksum
   * header from SDK &ge; 2.30 even with WHEN_REQUIRED, next to the Content-MD5 of
   * {@link LegacyMd5Plugin}. GCS and S3Proxy reject {@code x-amz-checksum-crc32} (S3Proxy: 501
   * NotImplemented); Content-MD5 alone is what they and AWS accept. The checksum is computed by the
   * signer, so this signer drops it (and the algorithm header) before signing when Content-MD5 is
   * present.
   */
  private static final class Md5OnlyAuthScheme implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4HttpSigner delegate = AwsV4HttpSigner.create();
    private final HttpSigner<AwsCredentialsIdentity> signer = new HttpSigner<>() {
      @Override
      public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> r) {
        if (r.request().firstMatchingHeader("Content-MD5").isEmpty()) {
          return delegate.sign(r);
        }
        SdkHttpRequest.Builder rb = r.request().toBuilder();
        for (String h : r.request().headers().keySet()) {
          String lower = h.toLowerCase(Locale.ROOT);
          if (lower.startsWith("x-amz-checksum-") || lower.equals("x-amz-sdk-checksum-algorithm")) {
            rb.removeHeader(h);
          }
        }
        return delegate.sign(r.copy(b -> b.request(rb.build()).putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, null)));
      }

      @Override
      public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> r) {
        return delegate.signAsync(r);
      }
    };

    @Override
    public String schemeId() {
      return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
      return providers.identityProvider(AwsCredentialsIdentity.class);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
      return signer;
    }
  }

  /** skipVerify: accepts every certificate (host names are not checked either). */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
