package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.ConditionalStore.Versioned;
import dev.runnel.replica.s3.S3ReplicaClient.ConditionalDelete;
import dev.runnel.testkit.Concurrently;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The S3 conditional store against S3Proxy behind the write-serialising {@link FaultProxy} (S3Proxy
 * alone evaluates If-None-Match/If-Match non-atomically: run the contract with
 * {@code -Drunnel.s3.direct=true} to see two winners), in both delete modes: the tombstone mode
 * that the probe picks on S3Proxy (it ignores If-Match on DELETE), and the native mode against the
 * proxy's emulation of conditional DELETE.
 */
class S3ConditionalStoreTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
  FaultProxy front;
  String bucket;
  S3ReplicaClient client;



  @BeforeEach
  void setUp() throws Exception {
    bucket = S3.server().newBucket();
    front = FaultProxy.start(S3.server().endpoint()).serializeWrites(true);
    client = open(ConditionalDelete.AUTO);
  }

  private S3ReplicaClient open(ConditionalDelete mode) throws Exception {
    S3ReplicaClient c = S3ReplicaClient.create(S3TestServer.config(front.endpoint(), bucket, "db")
        .conditionalDelete(mode).build());
    c.init();
    return c;
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    front.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private ConditionalStore store(S3ReplicaClient c) {
    return c.conditionalStore().orElseThrow();
  }

  /** "/bucket/key" → current ETag or null, read from the server's blob store. */
  private String etagOf(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    int slash = p.indexOf('/');
    BlobMetadata m = S3.server().blobStore().blobMetadata(p.substring(0, slash), p.substring(slash + 1));
    return m == null ? null : m.getETag();
  }

  @Test
  void createIfAbsent_16threadsX50rounds_exactlyOneWinnerEveryRound() throws Exception {
    ConditionalStore s = store(client);
    for (int round = 0; round < 50; round++) {
      String name = "lease-" + round;
      List<Boolean> won = Concurrently.run(16, t -> s.createIfAbsent(name, utf8("owner-" + t)));
      assertEquals(1, won.stream().filter(b -> b).count(), "round " + round + ": " + won);
      assertArrayEquals(utf8("owner-" + won.indexOf(true)), s.read(name).orElseThrow().data());
    }
  }

  @Test
  void createIfAbsent_afterDeleteConcurrently_exactlyOneWinnerOverTombstone() throws Exception {
    ConditionalStore s = store(client);
    for (int round = 0; round < 10; round++) {
      s.createIfAbsent("lease", utf8("seed-" + round));
      assertTrue(s.deleteIfUnchanged("lease", s.read("lease").orElseThrow().etag()));
      int r = round;
      List<Boolean> won = Concurrently.run(16, t -> s.createIfAbsent("lease", utf8("r" + r + "-owner-" + t)));
      assertEquals(1, won.stream().filter(b -> b).count(), "round " + round + ": " + won);
      assertArrayEquals(utf8("r" + r + "-owner-" + won.indexOf(true)), s.read("lease").orElseThrow().data());
      assertTrue(s.deleteIfUnchanged("lease", s.read("lease").orElseThrow().etag()));
    }
  }

  @Test
  void replaceIfUnchanged_staleEtag_returnsFalse() throws Exception {
    ConditionalStore s = store(client);
    assertTrue(s.createIfAbsent("lease", utf8("v1")));
    String e1 = s.read("lease").orElseThrow().etag();
    assertTrue(s.replaceIfUnchanged("lease", utf8("v2"), e1));
    assertFalse(s.replaceIfUnchanged("lease", utf8("v3"), e1));
    assertFalse(s.deleteIfUnchanged("lease", e1));
    assertArrayEquals(utf8("v2"), s.read("lease").orElseThrow().data());
  }

  @Test
  void etag_isQuotedMd5OfContent() throws Exception {
    ConditionalStore s = store(client);
    s.createIfAbsent("lease", utf8("hello"));
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(utf8("hello")));
    assertEquals("\"" + md5 + "\"", s.read("lease").orElseThrow().etag());
  }

  @Test
  void probe_onS3Proxy_choosesTombstonesAndTheyReadAsAbsent() throws Exception {
    ConditionalStore s = store(client);
    s.createIfAbsent("lease", utf8("v1"));
    assertEquals(ConditionalDelete.TOMBSTONE, ((S3ConditionalStore) s).deleteMode(),
        "S3Proxy ignores If-Match on DELETE");
    Versioned v = s.read("lease").orElseThrow();
    assertTrue(s.deleteIfUnchanged("lease", v.etag()));
    assertEquals(Optional.empty(), s.read("lease"));
    BlobMetadata raw = S3.server().blobStore().blobMetadata(bucket, "db/lease");
    assertTrue(raw != null && raw.getSize() < 64, "a small tombstone object remains");
    assertFalse(s.deleteIfUnchanged("lease", v.etag()), "already deleted");
    assertTrue(s.createIfAbsent("lease", utf8("v2")));
    assertArrayEquals(utf8("v2"), s.read("lease").orElseThrow().data());
    assertEquals(List.of(), S3.server().blobStore().list(bucket).stream()
        .filter(m -> m.getName().contains("probe")).toList(), "probe object removed");
  }

  @Test
  void tryCreate_overReleasedObject_oneIfMatchPutAndNoRead() throws Exception {
    ConditionalStore s = store(client);
    String e = s.tryCreate("lease", utf8("v1")).orElseThrow(); // probes the server first
    assertTrue(s.deleteIfUnchanged("lease", e)); // a tombstone on S3Proxy
    try (S3ReplicaClient fresh = open(ConditionalDelete.AUTO)) { // as a new tenant client would
      S3Stats st = fresh.stats();
      long attempts = st.httpAttempts();
      String e2 = store(fresh).tryCreate("lease", utf8("v2")).orElseThrow();
      assertEquals(1, st.httpAttempts() - attempts, "one request: If-Match on the known tombstone etag");
      assertEquals(0, st.operations(S3Stats.Op.GET));
      assertEquals("\"" + etagOf("/" + bucket + "/db/lease") + "\"", e2, "the etag of the PUT response");
      assertArrayEquals(utf8("v2"), s.read("lease").orElseThrow().data());
      assertEquals(Optional.empty(), store(fresh).tryCreate("lease", utf8("v3")), "now it exists");
    }
  }

  @Test
  void tryCreate_overTombstoneOfEarlierVersion_stillTakesItOver() throws Exception {
    ConditionalStore s = store(client);
    s.tryCreate("warm", utf8("x")).orElseThrow(); // probes; the known tombstone etag is the constant one
    byte[] old = java.util.Arrays.copyOf(S3ConditionalStore.TOMBSTONE_PREFIX, S3ConditionalStore.TOMBSTONE_PREFIX.length + 36);
    System.arraycopy(utf8(java.util.UUID.randomUUID().toString()), 0, old, S3ConditionalStore.TOMBSTONE_PREFIX.length, 36);
    client.putObject(client.objectKey("lease"), old, java.util.Map.of());
    assertEquals(Optional.empty(), s.read("lease"), "an old random tombstone reads as absent");
    String e = s.tryCreate("lease", utf8("v1")).orElseThrow();
    assertEquals(s.read("lease").orElseThrow().etag(), e);
    assertArrayEquals(utf8("v1"), s.read("lease").orElseThrow().data());
  }

  @Test
  void tryCreate_newName_ifNoneMatchAfterAFailedTombstoneTakeover() throws Exception {
    ConditionalStore s = store(client);
    s.tryCreate("warm", utf8("x")).orElseThrow();
    long puts = client.stats().operations(S3Stats.Op.PUT);
    String e = s.tryCreate("brand-new", utf8("v1")).orElseThrow();
    assertEquals(2, client.stats().operations(S3Stats.Op.PUT) - puts, "If-Match (no object), then If-None-Match");
    assertEquals(s.read("brand-new").orElseThrow().etag(), e);
  }

  @Test
  void nativeDelete_withServerSupport_probedAndDeletesPhysically() throws Exception {
    front.emulateConditionalDelete(this::etagOf);
    try (S3ReplicaClient c = open(ConditionalDelete.AUTO)) {
      S3ConditionalStore s = (S3ConditionalStore) store(c);
      assertTrue(s.createIfAbsent("lease", utf8("v1")));
      assertEquals(ConditionalDelete.NATIVE, s.deleteMode());
      String e1 = s.read("lease").orElseThrow().etag();
      assertTrue(s.replaceIfUnchanged("lease", utf8("v2"), e1));
      assertFalse(s.deleteIfUnchanged("lease", e1), "stale etag");
      assertTrue(s.deleteIfUnchanged("lease", s.read("lease").orElseThrow().etag()));
      assertEquals(null, S3.server().blobStore().blobMetadata(bucket, "db/lease"), "physically deleted");
      assertFalse(s.deleteIfUnchanged("lease", e1), "missing");
      for (int round = 0; round < 10; round++) {
        String name = "gone-" + round;
        s.createIfAbsent(name, utf8("x" + round));
        String etag = s.read(name).orElseThrow().etag();
        List<Boolean> won = Concurrently.run(8, t -> s.deleteIfUnchanged(name, etag));
        assertEquals(1, won.stream().filter(b -> b).count(), "round " + round + ": " + won);
      }
    }
  }
}
