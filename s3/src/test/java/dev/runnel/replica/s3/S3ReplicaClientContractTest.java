package dev.runnel.replica.s3;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.testkit.ReplicaClientContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared replica contract (and the conditional-store contract) against a real S3 server:
 * S3Proxy on loopback, reached through a {@link FaultProxy} that injects no faults but serialises
 * writes per key, because S3Proxy's conditional PUT is check-then-write (see {@link S3TestServer}).
 */
class S3ReplicaClientContractTest extends ReplicaClientContract {
  private static final AtomicInteger SEQ = new AtomicInteger();
  static S3TestServer server;
  static FaultProxy front;
  static String bucket;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start();
    bucket = server.newBucket();
    front = FaultProxy.start(server.endpoint()).serializeWrites(!Boolean.getBoolean("runnel.s3.direct"));
    if (Boolean.getBoolean("runnel.s3.debug")) { front.rule(r -> { if (r.method().equals("POST")) System.err.println("DEBUG " + r + " " + r.headers()); return FaultProxy.Fault.PASS; }); }
  }

  @AfterAll
  static void stopServer() throws Exception {
    front.close();
    server.close();
  }

  @Override
  protected ReplicaClient newClient() {
    java.net.URI ep = Boolean.getBoolean("runnel.s3.direct") ? server.endpoint() : front.endpoint();
    return S3ReplicaClient.create(S3TestServer.config(ep, bucket, "db-" + SEQ.incrementAndGet()).build());
  }
}
