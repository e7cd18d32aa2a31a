package dev.runnel.replica.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for tests: S3Proxy (Jetty + the jclouds in-memory "transient" blob store) on
 * 127.0.0.1 at a free port, with SigV4 authentication. {@link #close()} stops it.
 *
 * <p>Known limits of S3Proxy 3.0.0 with a local blob store (checked in its handler): it evaluates
 * {@code If-Match}/{@code If-None-Match} on PutObject, but as a check followed by a separate put,
 * not atomically; it ignores {@code If-Match} on DeleteObject. Tests that need atomic conditional
 * writes put a {@link FaultProxy} with {@code serializeWrites} in front.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "runnel-test-key";
  public static final String SECRET_KEY = "runnel-test-secret";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private S3TestServer() throws Exception {
    Properties props = new Properties();
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").overrides(props)
        .buildView(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .jettyMaxThreads(64)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Starts a server. */
  public static S3TestServer start() throws Exception {
    return new S3TestServer();
  }

  public URI endpoint() {
    return endpoint;
  }

  public int port() {
    return proxy.getPort();
  }

  /** The blob store behind the server, to inspect or plant objects directly. */
  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  /** Creates a new, empty bucket with a unique name and returns it. */
  public String newBucket() {
    String name = "runnel-test-" + BUCKETS.incrementAndGet();
    blobStore().createContainerInLocation(null, name);
    return name;
  }

  /** Settings for {@code bucket}/{@code path} on this server, with fast retries for tests. */
  public S3ReplicaClient.Config.Builder config(String bucket, String path) {
    return config(endpoint, bucket, path);
  }

  /** Settings for a bucket reached through another endpoint (e.g. a {@link FaultProxy}). */
  public static S3ReplicaClient.Config.Builder config(URI endpoint, String bucket, String path) {
    return S3ReplicaClient.Config.builder(bucket)
        .path(path)
        .endpoint(endpoint.toString())
        .region("us-east-1")
        .forcePathStyle(true)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(10))
        .retryDelays(Duration.ofMillis(5), Duration.ofMillis(100));
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
