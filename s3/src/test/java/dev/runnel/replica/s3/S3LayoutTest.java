package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.s3.S3Stats.Op;
import dev.runnel.testkit.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Litestream S3 layout and large-object behaviour, checked on the server's own view of the bucket. */
class S3LayoutTest {
  private static final long TS = 1_700_000_000_123L;
  private static final AtomicInteger SEQ = new AtomicInteger();
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
  String bucket;
  S3ReplicaClient client;



  @BeforeEach
  void setUp() throws Exception {
    bucket = S3.server().newBucket();
    client = S3ReplicaClient.create(S3.server().config(bucket, "db").build());
    client.init();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private static TxId tx(long v) {
    return TxId.of(v);
  }

  private LtxFileInfo put(S3ReplicaClient c, int level, long min, long max, long ts, int body) throws IOException {
    return c.write(level, tx(min), tx(max), new ByteArrayInputStream(Fixtures.syntheticLtx(min, max, ts, body)));
  }

  private List<String> serverKeys() {
    BlobStore bs = S3.server().blobStore();
    List<String> out = new ArrayList<>();
    String marker = null;
    do {
      ListContainerOptions o = ListContainerOptions.Builder.recursive();
      if (marker != null) {
        o.afterMarker(marker);
      }
      var page = bs.list(bucket, o);
      for (StorageMetadata m : page) {
        out.add(m.getName());
      }
      marker = page.getNextMarker();
    } while (marker != null);
    out.sort(null);
    return out;
  }

  private void plant(String key, byte[] data) {
    BlobStore bs = S3.server().blobStore();
    bs.putBlob(bucket, bs.blobBuilder(key).payload(data).contentLength(data.length).build());
  }

  @Test
  void write_levels_useLitestreamS3Keys() throws Exception {
    put(client, 0, 1, 1, TS, 10);
    put(client, 1, 1, 2, TS, 10);
    put(client, 9, 1, 0x1a, TS, 10);
    assertEquals(List.of("db/0000/0000000000000001-0000000000000001.ltx", "db/0001/0000000000000001-0000000000000002.ltx",
        "db/0009/0000000000000001-000000000000001a.ltx"), serverKeys());
    assertEquals("db/0009/0000000000000001-000000000000001a.ltx", client.key(9, tx(1), tx(0x1a)));
  }

  @Test
  void write_any_storesLitestreamTimestampMetadata() throws Exception {
    put(client, 0, 1, 1, TS, 10);
    var meta = S3.server().blobStore().blobMetadata(bucket, "db/0000/0000000000000001-0000000000000001.ltx");
    String ts = meta.getUserMetadata().get("litestream-timestamp");
    assertEquals("2023-11-14T22:13:20.123Z", ts);
    assertEquals(Instant.ofEpochMilli(TS), Rfc3339.parse(ts).orElseThrow());
  }

  @Test
  void write_urlWithoutPath_usesDotPrefixLikeLitestream() throws Exception {
    URI url = URI.create("s3://" + bucket);
    S3ReplicaClient.Config c = S3ReplicaClient.Config.fromUrl(url, Map.of("endpoint", S3.server().endpoint().toString(),
        "accessKeyId", S3TestServer.ACCESS_KEY, "secretAccessKey", S3TestServer.SECRET_KEY), Map.of());
    try (S3ReplicaClient root = S3ReplicaClient.create(c)) {
      root.init();
      put(root, 0, 1, 1, TS, 1);
      assertTrue(serverKeys().contains("./0000/0000000000000001-0000000000000001.ltx"), serverKeys().toString());
      assertEquals(1, root.list(0).size());
    }
  }

  @Test
  void list_nonLtxKeys_areIgnored() throws Exception {
    put(client, 0, 1, 1, TS, 1);
    byte[] ltx = Fixtures.syntheticLtx(2, 2, TS, 1);
    plant("db/0000/junk.tmp", ltx);
    plant("db/0000/0000000000000002-0000000000000002.ltx.tmp", ltx);
    plant("db/0000/0000000000000002-000000000000000A.ltx", ltx);
    plant("db/0000/sub/0000000000000002-0000000000000002.ltx", ltx);
    plant("db/0000", ltx);
    plant("db/lock.json", ltx);
    plant("db/0/0000000000000002-0000000000000002.ltx", ltx);
    plant("db/ltx/0/0000000000000002-0000000000000002.ltx", ltx);
    assertEquals(List.of(LtxFileName.of(tx(1), tx(1))), client.list(0).stream().map(LtxFileInfo::name).toList());
    client.deleteAll();
    List<String> left = serverKeys();
    assertFalse(left.contains("db/0000/0000000000000001-0000000000000001.ltx"));
    assertTrue(left.contains("db/lock.json") && left.contains("db/0000/junk.tmp"), "deleteAll removes only LTX files: " + left);
  }

  @Test
  void list_exactTimestamps_usesMetadataElseLastModified() throws Exception {
    put(client, 0, 1, 1, 1_000_000, 1);
    plant("db/0000/0000000000000002-0000000000000002.ltx", Fixtures.syntheticLtx(2, 2, 2_000_000, 1));
    List<LtxFileInfo> exact = client.list(0, TxId.ZERO, true);
    assertEquals(Instant.ofEpochMilli(1_000_000), exact.get(0).createdAt());
    assertTrue(exact.get(1).createdAt().isAfter(Instant.now().minusSeconds(600)),
        "no metadata: LastModified " + exact.get(1).createdAt());
    List<LtxFileInfo> cheap = client.list(0, TxId.ZERO, false);
    assertTrue(cheap.get(0).createdAt().isAfter(Instant.now().minusSeconds(600)), "cheap listing is LastModified");
  }

  @Test
  void list_moreThan1000Objects_paginates() throws Exception {
    int n = 1234;
    for (int i = 1; i <= n; i++) {
      plant(String.format("db/0002/%016x-%016x.ltx", i, i), new byte[] {1});
    }
    long before = client.stats().operations(Op.LIST);
    List<LtxFileInfo> all = client.list(2);
    assertEquals(n, all.size());
    for (int i = 0; i < n; i++) {
      assertEquals(tx(i + 1), all.get(i).minTxId());
    }
    assertEquals(2, client.stats().operations(Op.LIST) - before, "1000 per page");
    try (S3ReplicaClient small = S3ReplicaClient.create(S3.server().config(bucket, "db").listPageSize(97).build())) {
      assertEquals(n, small.list(2).size());
      assertEquals(13, small.stats().operations(Op.LIST));
      List<LtxFileInfo> fromSeek = small.list(2, tx(1000), false);
      assertEquals(n - 999, fromSeek.size());
      assertEquals(tx(1000), fromSeek.get(0).minTxId());
      assertTrue(small.stats().operations(Op.LIST) <= 13 + 3, "seek starts after, not from the first page");
      List<LtxFileInfo> exact = small.list(2, tx(1100), true);
      assertEquals(n - 1099, exact.size());
      assertEquals(n - 1099, small.stats().operations(Op.HEAD));
    }
  }

  @Test
  void write_abovePartSize_usesMultipartAndRoundTrips() throws Exception {
    int part = 5 * 1024 * 1024; // S3 (and S3Proxy) minimum for all parts but the last
    try (S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "mp").partSize(part).concurrency(3).build())) {
      byte[] data = Fixtures.syntheticLtx(1, 9, TS, 2 * part + 777);
      LtxFileInfo info = c.write(0, tx(1), tx(9), new ByteArrayInputStream(data));
      assertEquals(data.length, info.size());
      assertEquals(List.of(info), c.list(0, TxId.ZERO, true));
      try (InputStream in = c.open(info)) {
        assertArrayEquals(data, in.readAllBytes());
      }
      try (InputStream in = c.open(0, tx(1), tx(9), part - 10, 20)) {
        assertArrayEquals(java.util.Arrays.copyOfRange(data, part - 10, part + 10), in.readAllBytes());
      }
      assertEquals(1 + 3 + 1, c.stats().operations(Op.PUT), "create + 3 parts + complete");
      // Exactly part size: one PutObject.
      byte[] exact = Fixtures.syntheticLtx(10, 10, TS, part - Fixtures.LTX_HEADER_SIZE);
      c.write(0, tx(10), tx(10), new ByteArrayInputStream(exact));
      assertEquals(6, c.stats().operations(Op.PUT));
    }
  }

  @Test
  void write_largeStream_memoryBoundedByParts() throws Exception {
    int part = 5 * 1024 * 1024; // S3 (and S3Proxy) minimum for all parts but the last
    int concurrency = 2;
    long total = 12L * part + 123;
    byte[] header = Fixtures.ltxHeader(tx(1), tx(2), TS);
    AtomicLong consumed = new AtomicLong();
    AtomicLong maxAhead = new AtomicLong();
    try (S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "big").partSize(part)
        .concurrency(concurrency).build())) {
      InputStream gen = new InputStream() {
        long pos;

        @Override
        public int read() {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (pos >= total) {
            return -1;
          }
          int n = (int) Math.min(len, total - pos);
          for (int i = 0; i < n; i++) {
            long p = pos + i;
            b[off + i] = p < header.length ? header[(int) p] : (byte) (p * 31 >>> 3);
          }
          pos += n;
          consumed.set(pos);
          // Bytes taken from the input but not yet acknowledged by the server are buffered.
          maxAhead.accumulateAndGet(pos - c.stats().bytes(Op.PUT), Math::max);
          return n;
        }
      };
      LtxFileInfo info = c.write(0, tx(1), tx(2), gen);
      assertEquals(total, info.size());
      assertTrue(maxAhead.get() <= (long) (concurrency + 2) * part,
          "buffered " + maxAhead.get() + " bytes, bound " + (concurrency + 2) * part);
      try (InputStream in = c.open(info)) {
        byte[] all = in.readAllBytes();
        assertEquals(total, all.length);
        for (int p = header.length; p < all.length; p += 4099) {
          assertEquals((byte) ((long) p * 31 >>> 3), all[p], "byte " + p);
        }
      }
    }
  }

  @Test
  void write_multipartInputFails_abortsAndLeavesNothing() throws Exception {
    int part = 5 * 1024 * 1024; // S3 (and S3Proxy) minimum for all parts but the last
    try (S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "mp").partSize(part).build())) {
      byte[] data = Fixtures.syntheticLtx(1, 5, TS, 3 * part);
      byte[] prefix = java.util.Arrays.copyOf(data, 2 * part + 1000);
      InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(prefix), new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("simulated writer failure");
        }
      });
      IOException e = assertThrows(IOException.class, () -> c.write(0, tx(1), tx(5), failing));
      assertTrue(e.getMessage().contains("simulated"), e.toString());
      assertEquals(List.of(), c.list(0));
      assertThrows(NoSuchFileException.class, () -> c.open(0, tx(1), tx(5), 0, -1));
      assertEquals(0, S3.server().blobStore().listMultipartUploads(bucket).size(), "multipart upload aborted");
    }
  }

  @Test
  void init_missingBucket_failsNamingBucketAndEndpoint() {
    try (S3ReplicaClient c = S3ReplicaClient.create(S3.server().config("no-such-bucket", "db").build())) {
      IOException e = assertThrows(IOException.class, c::init);
      assertTrue(e.getMessage().contains("no-such-bucket") && e.getMessage().contains(S3.server().endpoint().toString()),
          e.getMessage());
    }
  }

  @Test
  void stats_countOperationsAndBytes() throws Exception {
    S3ReplicaClient c = client;
    LtxFileInfo f = put(c, 0, 1, 1, TS, 900);
    try (InputStream in = c.open(f)) {
      in.readAllBytes();
    }
    c.list(0);
    c.delete(List.of(f));
    assertThrows(NoSuchFileException.class, () -> c.open(f));
    assertEquals(1, c.stats().operations(Op.PUT));
    assertEquals(1000, c.stats().bytes(Op.PUT));
    assertEquals(2, c.stats().operations(Op.GET));
    assertEquals(1000, c.stats().bytes(Op.GET));
    assertEquals(1, c.stats().operations(Op.LIST));
    assertEquals(1, c.stats().operations(Op.DELETE));
    assertTrue(c.stats().httpAttempts() >= 6);
  }

  @Test
  void write_manyRandomSizes_roundTripThroughRangedReads() throws Exception {
    Random r = new Random(7);
    try (S3ReplicaClient c = S3ReplicaClient.create(S3.server().config(bucket, "rnd").build())) {
      for (int i = 1; i <= 6; i++) {
        byte[] data = Fixtures.syntheticLtx(i, i, TS + i, r.nextInt(200_000));
        c.write(3, tx(i), tx(i), new ByteArrayInputStream(data));
        int off = r.nextInt(data.length);
        int len = r.nextInt(data.length - off + 1);
        try (InputStream in = c.open(3, tx(i), tx(i), off, len)) {
          assertArrayEquals(java.util.Arrays.copyOfRange(data, off, off + len), in.readAllBytes());
        }
      }
    }
  }

  @Test
  void deleteAll_gsType_deletesKeyByKey() throws Exception {
    try (S3ReplicaClient gs = S3ReplicaClient.create(S3.server().config(bucket, "g").type("gs").build())) {
      gs.init();
      assertEquals("gs", gs.type());
      for (int i = 1; i <= 5; i++) {
        put(gs, i % 2, i, i, TS, 10);
      }
      gs.delete(List.of(gs.list(0).get(0)));
      assertEquals(1, gs.list(0).size());
      gs.deleteAll();
      assertEquals(List.of(), gs.list(0));
      assertEquals(List.of(), gs.list(1));
      assertEquals(0, gs.stats().errorCount(Op.DELETE));
      assertTrue(gs.stats().operations(Op.DELETE) >= 5, "one DeleteObject per key");
    }
  }

  @Test
  void write_gsType_usesLitestreamGcsFileStyleKeys() throws Exception {
    try (S3ReplicaClient gs = S3ReplicaClient.create(S3.server().config(bucket, "gdb").type("gs").build())) {
      gs.init();
      put(gs, 0, 1, 1, TS, 10);
      put(gs, 9, 1, 0x1a, TS, 10);
      assertTrue(serverKeys().containsAll(List.of("gdb/ltx/0/0000000000000001-0000000000000001.ltx",
          "gdb/ltx/9/0000000000000001-000000000000001a.ltx")), serverKeys().toString());
      assertEquals(1, gs.list(9).size());
    }
  }
}
