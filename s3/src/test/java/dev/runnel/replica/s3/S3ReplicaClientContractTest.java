package dev.runnel.replica.s3;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.testkit.ReplicaClientContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared replica contract (and the conditional-store contract) against a real S3 server:
 * S3Proxy on loopback, reached through a {@link FaultProxy} that injects no faults but serialises
 * writes per key, because S3Proxy's conditional PUT is check-then-write (see {@link S3TestServer}).
 */
class S3ReplicaClientContractTest extends ReplicaClientContract {
  private static final AtomicInteger SEQ = new AtomicInteger();
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
  static FaultProxy front;
  static String bucket;

  @BeforeAll
  static void startServer() throws Exception {
    bucket = S3.server().newBucket();
    front = FaultProxy.start(S3.server().endpoint()).serializeWrites(!Boolean.getBoolean("runnel.s3.direct"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    front.close();
  }

  @Override
  protected ReplicaClient newClient() {
    java.net.URI ep = Boolean.getBoolean("runnel.s3.direct") ? S3.server().endpoint() : front.endpoint();
    return S3ReplicaClient.create(S3TestServer.config(ep, bucket, "db-" + SEQ.incrementAndGet()).build());
  }
}
