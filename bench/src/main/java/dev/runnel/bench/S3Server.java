package dev.runnel.bench;

import dev.runnel.replica.s3.S3ReplicaClient;
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
 * A loopback S3 server for benchmarks: S3Proxy 3.0.0 (Jetty + the jclouds in-memory "transient"
 * blob store) on 127.0.0.1 at a free port, in this JVM, with SigV4 authentication. Objects live in
 * the heap; the server shares the JVM's CPU with the code under test. {@link #close()} stops it.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "runnel-bench-key";
  static final String SECRET_KEY = "runnel-bench-secret";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private S3Server() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").overrides(new Properties())
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

  static S3Server start() throws Exception {
    return new S3Server();
  }

  URI endpoint() {
    return endpoint;
  }

  BlobStore blobStore() {
    return context.getBlobStore();
  }

  /** Creates a new, empty bucket with a unique name. */
  String newBucket() {
    String name = "runnel-bench-" + BUCKETS.incrementAndGet();
    blobStore().createContainerInLocation(null, name);
    return name;
  }

  /** Client settings for {@code bucket}/{@code path} on this server (default timeouts and retries). */
  S3ReplicaClient.Config.Builder config(String bucket, String path) {
    return S3ReplicaClient.Config.builder(bucket)
        .path(path)
        .endpoint(endpoint.toString())
        .region("us-east-1")
        .forcePathStyle(true)
        .credentials(ACCESS_KEY, SECRET_KEY);
  }

  S3ReplicaClient client(String bucket, String path) {
    return S3ReplicaClient.create(config(bucket, path).build());
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
