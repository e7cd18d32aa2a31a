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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

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
        S3Config.applyOptions(this, options);
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

  private final Config config;
  private final SharedSdk shared;
  private final S3Client s3;
  /** Same connection pool, but retries only failures that certainly left the server unchanged. */
  private final S3Client s3Conditional;
  private final S3Stats stats = new S3Stats();
  private final ExecutorService workers;
  private final S3ConditionalStore conditional;
  private final S3Listing listing;
  private final S3Deletes deletes;
  private final S3Objects objects;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean initialised;

  private S3ReplicaClient(Config config) {
    this.config = config;
    this.shared = SharedSdk.acquire(config, S3SdkClients::buildShared);
    this.s3 = shared.s3;
    this.s3Conditional = shared.s3Conditional;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "runnel-s3-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.conditional = new S3ConditionalStore(this);
    this.listing = new S3Listing(this);
    this.deletes = new S3Deletes(this);
    this.objects = new S3Objects(this);
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

  /** The SDK client for conditional requests: see {@link S3Errors#certainlyNotApplied}. */
  S3Client conditionalSdk() {
    return s3Conditional;
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
    S3Stats prev = S3SdkClients.CURRENT_STATS.get();
    S3SdkClients.CURRENT_STATS.set(stats);
    try {
      s3.headBucket(r -> r.bucket(config.bucket()));
      shared.markBucketVerified(config.bucket());
    } catch (SdkException e) {
      String code = S3Errors.errorCode(e);
      stats.error(Op.HEAD, code);
      String endpoint = config.endpoint() != null ? config.endpoint() : "AWS";
      throw new IOException("S3 bucket \"" + config.bucket() + "\" is not reachable at endpoint " + endpoint
          + " (region " + (config.region() == null ? "default" : config.region()) + "): " + S3Errors.describeError(e), e);
    } finally {
      restoreStats(prev);
    }
    initialised = true;
  }

  /**
   * One ListObjectsV2 of {@code <path>/} (paged) instead of one per level; see
   * {@link S3Listing#listAllLevels}.
   */
  @Override
  public Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return listing.listAllLevels();
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    return listing.list(level, seek, exactTimestamps);
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
    return objects.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    return objects.write(level, min, max, data);
  }

  /** One PutObject of a complete body. */
  void putObject(String key, byte[] body, Map<String, String> meta) throws IOException {
    objects.putObject(key, body, meta);
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

  /** {@link S3Deletes#deleteKeys}. */
  void deleteKeys(List<String> keys) throws IOException {
    deletes.deleteKeys(keys);
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

  void checkOpen() throws IOException {
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
    S3Stats prev = S3SdkClients.CURRENT_STATS.get();
    S3SdkClients.CURRENT_STATS.set(stats);
    try {
      return c.run();
    } catch (SdkException e) {
      int status = e instanceof AwsServiceException se ? se.statusCode() : 0;
      for (int s : expected) {
        if (s == status) {
          throw new NotFound(status, S3Errors.errorCode(e));
        }
      }
      stats.error(op, S3Errors.errorCode(e));
      if (Thread.currentThread().isInterrupted() || S3Errors.hasCause(e, InterruptedException.class)) {
        InterruptedIOException io = new InterruptedIOException("S3 " + op + " " + location(key) + " interrupted");
        io.initCause(e);
        throw io;
      }
      throw new IOException("S3 " + op + " " + location(key) + " failed: " + S3Errors.describeError(e), e);
    } finally {
      restoreStats(prev);
    }
  }

  private static void restoreStats(S3Stats prev) {
    if (prev == null) {
      S3SdkClients.CURRENT_STATS.remove();
    } else {
      S3SdkClients.CURRENT_STATS.set(prev);
    }
  }

  /** The shared SDK side (tests). */
  SharedSdk shared() {
    return shared;
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

}
