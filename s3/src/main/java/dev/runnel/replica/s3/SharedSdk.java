package dev.runnel.replica.s3;

import dev.runnel.replica.s3.S3ReplicaClient.ConditionalDelete;
import dev.runnel.replica.s3.S3ReplicaClient.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The SDK side of {@link S3ReplicaClient}s that talk to the same server with the same settings:
 * one HTTP connection pool and the two SDK clients on it, shared by every replica client whose
 * {@link Key} is equal (a tenant manager opens one replica client per tenant, all in one bucket).
 * Building an SDK client costs milliseconds and a pool of its own; sharing also keeps connections
 * warm across tenants. Reference-counted: the last {@link #release()} closes the clients and the
 * pool, and a later {@link #acquire} builds new ones.
 *
 * <p>Also remembers, per bucket, facts every client would otherwise re-learn with requests of its
 * own: that the bucket answered a HEAD ({@link #bucketVerified}), how the server handles
 * conditional deletes ({@link #probedDeleteMode}) and a tombstone's etag ({@link #tombstoneEtag}).
 *
 * <p>Reference-counted with a linger: after the last {@link #release()} the clients stay open for
 * {@link #linger} (default 30 s) and a client created meanwhile takes them over, so a tenant
 * manager whose last hot tenant was just evicted does not rebuild the SDK client, re-check the
 * bucket and re-probe the server on the next cold start. Then they are closed on a daemon timer
 * thread (one per process, started on first use). Thread-safe.
 */
final class SharedSdk {
  /**
   * The settings that shape the SDK clients and the connection pool (everything in {@link Config}
   * but bucket, path and per-replica upload or listing settings). {@link #toString()} hides the secret.
   */
  record Key(String region, String endpoint, boolean forcePathStyle, String accessKeyId, String secretAccessKey,
      boolean skipVerify, boolean signPayload, boolean requireContentMD5, Duration connectTimeout,
      Duration readTimeout, int maxAttempts, Duration retryBaseDelay, Duration retryMaxDelay) {

    static Key of(Config c) {
      return new Key(c.region(), c.endpoint(), c.forcePathStyle(), c.accessKeyId(), c.secretAccessKey(),
          c.skipVerify(), c.signPayload(), c.requireContentMD5(), c.connectTimeout(), c.readTimeout(),
          c.maxAttempts(), c.retryBaseDelay(), c.retryMaxDelay());
    }

    @Override
    public String toString() {
      return "Key[endpoint=" + endpoint + ", region=" + region + ", accessKeyId="
          + (accessKeyId == null ? "default chain" : accessKeyId) + "]";
    }
  }

  /** The SDK clients of one key; built on demand by {@link S3ReplicaClient}. */
  interface Builder {
    SharedSdk build(Key key, Config config);
  }

  private static final Map<Key, SharedSdk> LIVE = new HashMap<>();
  /** How long unused clients stay open; tests set it. */
  static volatile Duration linger = Duration.ofSeconds(30);
  private static java.util.concurrent.ScheduledExecutorService closer;

  final Key key;
  final SdkHttpClient http;
  final S3Client s3;
  /** Same connection pool; retries only failures that certainly left the server unchanged. */
  final S3Client s3Conditional;
  private final Set<String> verifiedBuckets = ConcurrentHashMap.newKeySet();
  private final Map<String, ConditionalDelete> deleteModes = new ConcurrentHashMap<>();
  private final Map<String, String> tombstoneEtags = new ConcurrentHashMap<>();
  // Guarded by LIVE.
  private int users;
  private boolean closed;
  private java.util.concurrent.ScheduledFuture<?> pendingClose;

  SharedSdk(Key key, SdkHttpClient http, S3Client s3, S3Client s3Conditional) {
    this.key = key;
    this.http = http;
    this.s3 = s3;
    this.s3Conditional = s3Conditional;
  }

  /** The live instance for {@code config}'s key, or a new one; the caller must {@link #release()} it once. */
  static SharedSdk acquire(Config config, Builder builder) {
    Key key = Key.of(config);
    synchronized (LIVE) {
      SharedSdk s = LIVE.get(key);
      if (s == null) {
        s = builder.build(key, config);
        LIVE.put(key, s);
      }
      s.users++;
      if (s.pendingClose != null) {
        s.pendingClose.cancel(false);
        s.pendingClose = null;
      }
      return s;
    }
  }

  /** Drops one user; after the last one the clients close once the linger has passed unused. */
  void release() {
    Duration wait = linger;
    synchronized (LIVE) {
      if (closed || --users > 0) {
        return;
      }
      if (!wait.isZero()) {
        if (closer == null) {
          closer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runnel-s3-sdk-closer");
            t.setDaemon(true);
            return t;
          });
        }
        pendingClose = closer.schedule(this::closeIfUnused, wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return;
      }
    }
    closeIfUnused();
  }

  private void closeIfUnused() {
    synchronized (LIVE) {
      if (closed || users > 0) {
        return;
      }
      closed = true;
      pendingClose = null;
      LIVE.remove(key, this);
    }
    s3.close();
    s3Conditional.close();
    http.close();
  }

  /** Whether {@code s} is still the one handed out for its key (tests). */
  static boolean isLive(SharedSdk s) {
    synchronized (LIVE) {
      return LIVE.get(s.key) == s;
    }
  }

  boolean isClosed() {
    synchronized (LIVE) {
      return closed;
    }
  }

  boolean bucketVerified(String bucket) {
    return verifiedBuckets.contains(bucket);
  }

  void markBucketVerified(String bucket) {
    verifiedBuckets.add(bucket);
  }

  /** The delete mode a probe found for {@code bucket} with {@code configured}, or null if none ran yet. */
  ConditionalDelete probedDeleteMode(String bucket, ConditionalDelete configured) {
    return deleteModes.get(bucket + "\n" + configured);
  }

  void rememberDeleteMode(String bucket, ConditionalDelete configured, ConditionalDelete found) {
    deleteModes.put(bucket + "\n" + configured, found);
  }

  /** The etag of a tombstone in {@code bucket} (see {@link S3ConditionalStore}), or null if none seen yet. */
  String tombstoneEtag(String bucket) {
    return tombstoneEtags.get(bucket);
  }

  void rememberTombstoneEtag(String bucket, String etag) {
    tombstoneEtags.put(bucket, etag);
  }
}
