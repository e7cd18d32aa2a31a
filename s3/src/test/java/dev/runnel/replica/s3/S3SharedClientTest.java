package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * Replica clients with equal connection settings share one SDK client and connection pool (a
 * tenant manager opens one client per tenant), keep their own stats, share what they learned about
 * a bucket, and the pool closes with the last client.
 */
class S3SharedClientTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();



  @Test
  void create_equalConnectionSettings_shareSdkUntilLastClose() throws Exception {
    Duration saved = SharedSdk.linger;
    SharedSdk.linger = Duration.ZERO;
    try {
      shareUntilLastClose();
    } finally {
      SharedSdk.linger = saved;
    }
  }

  @Test
  void release_lastUser_sdkLingersForNextClientThenCloses() throws Exception {
    Duration saved = SharedSdk.linger;
    SharedSdk.linger = Duration.ofMillis(300);
    try {
      String bucket = S3.server().newBucket();
      S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "tenants/a").build());
      a.init();
      SharedSdk shared = a.shared();
      a.close();
      assertFalse(shared.isClosed(), "lingers after its last user");
      S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "tenants/b").build());
      assertSame(shared, b.shared(), "taken over within the linger");
      b.init();
      assertEquals(0, b.stats().operations(Op.HEAD), "what a learned is kept");
      b.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!shared.isClosed() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(shared.isClosed(), "closed once the linger passed unused");
    } finally {
      SharedSdk.linger = saved;
    }
  }

  private void shareUntilLastClose() throws Exception {
    String bucket = S3.server().newBucket();
    S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "tenants/a").build());
    S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "tenants/b").build());
    assertSame(a.sdk(), b.sdk());
    assertSame(a.shared(), b.shared());
    SharedSdk shared = a.shared();

    a.close();
    assertFalse(shared.isClosed(), "b still uses it");
    b.init();
    assertTrue(b.list(0, TxId.ZERO, false).isEmpty(), "b works after a closed");
    assertThrows(IOException.class, () -> a.list(0, TxId.ZERO, false));

    b.close();
    assertTrue(shared.isClosed(), "closed with its last user");
    assertFalse(SharedSdk.isLive(shared));
    b.close(); // idempotent: must not release twice

    S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "tenants/c").build());
    try {
      assertNotSame(shared, c.shared(), "a new pool after the last close");
      c.init();
      assertTrue(c.list(0, TxId.ZERO, false).isEmpty());
    } finally {
      c.close();
    }
  }

  @Test
  void create_differentConnectionSettings_separateSdk() throws Exception {
    String bucket = S3.server().newBucket();
    try (S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "x").build());
        S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "x").readTimeout(Duration.ofSeconds(7)).build());
        S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "x").credentials("other", "secret").build())) {
      assertNotSame(a.shared(), b.shared());
      assertNotSame(a.shared(), c.shared());
      assertFalse(a.shared().key.toString().contains(S3TestServer.SECRET_KEY), "key's toString hides the secret");
    }
  }

  @Test
  void stats_sharedSdk_countedPerClient() throws Exception {
    String bucket = S3.server().newBucket();
    try (S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "a").build());
        S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "b").build())) {
      a.init();
      b.init();
      long bAttempts = b.stats().httpAttempts();
      long aAttempts = a.stats().httpAttempts();
      for (int i = 0; i < 3; i++) {
        a.list(0, TxId.ZERO, false);
      }
      assertEquals(aAttempts + 3, a.stats().httpAttempts());
      assertEquals(3, a.stats().operations(Op.LIST));
      assertEquals(bAttempts, b.stats().httpAttempts(), "b's counters do not see a's requests");
      assertEquals(0, b.stats().operations(Op.LIST));
    }
  }

  @Test
  void init_bucketSeenBySharingClient_noSecondHead() throws Exception {
    String bucket = S3.server().newBucket();
    try (S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "a").build());
        S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "b").build())) {
      a.init();
      assertEquals(1, a.stats().operations(Op.HEAD));
      b.init();
      assertEquals(0, b.stats().operations(Op.HEAD));
    }
  }

  @Test
  void init_missingBucket_stillFailsForEveryClient() throws Exception {
    try (S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(S3.server().newBucket(), "a").build());
        S3ReplicaClient b = S3ReplicaClient.create(S3.server().config("runnel-no-such-bucket", "b").build())) {
      a.init();
      assertSame(a.shared(), b.shared());
      IOException e = assertThrows(IOException.class, b::init);
      assertTrue(e.getMessage().contains("runnel-no-such-bucket"), e.getMessage());
    }
  }

  @Test
  void conditionalStore_secondClientSameBucket_reusesProbe() throws Exception {
    String bucket = S3.server().newBucket();
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);
    try (S3ReplicaClient a = S3ReplicaClient.create(S3.server().config(bucket, "a").build());
        S3ReplicaClient b = S3ReplicaClient.create(S3.server().config(bucket, "b").build())) {
      ConditionalStore sa = a.conditionalStore().orElseThrow();
      ConditionalStore sb = b.conditionalStore().orElseThrow();
      assertTrue(sa.createIfAbsent("lease", data));
      assertTrue(a.stats().operations(Op.DELETE) > 0, "a probed (its probe deletes its probe object)");
      assertTrue(sb.createIfAbsent("lease", data));
      assertEquals(0, b.stats().operations(Op.DELETE), "b reused a's probe");
      // In tombstone mode (S3Proxy) a create tries the take-over of a released object first, with
      // the tombstone etag the probe learned: a new name costs that If-Match and the If-None-Match.
      assertEquals(2, b.stats().operations(Op.PUT), "b's create of a new name is two PUTs");
      assertEquals(0, b.stats().operations(Op.GET), "and no GET");
      assertEquals(((S3ConditionalStore) sa).deleteMode(), ((S3ConditionalStore) sb).deleteMode());
      // The shared mode still behaves: b deletes and recreates its object.
      String etag = sb.read("lease").orElseThrow().etag();
      assertTrue(sb.deleteIfUnchanged("lease", etag));
      assertTrue(sb.read("lease").isEmpty());
      assertTrue(sb.createIfAbsent("lease", data));
    }
  }
}
