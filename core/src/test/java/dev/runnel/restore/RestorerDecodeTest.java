package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.TestData;
import dev.runnel.ltx.LtxCorruptException;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Restorer}'s parallel decode of file replicas, and of small plans from remote replicas
 * downloaded into memory: same bytes at any thread count, same errors.
 */
class RestorerDecodeTest {
  private static final List<String> CHAIN = List.of("0000000000000001-0000000000000001.ltx",
      "0000000000000002-0000000000000002.ltx", "0000000000000003-0000000000000003.ltx");

  @TempDir Path tmp;

  private Path replica(String set) throws Exception {
    Path l0 = Files.createDirectories(tmp.resolve(set + "-replica").resolve("ltx/0"));
    for (String f : CHAIN) {
      Files.copy(TestData.path("ltx", set, f), l0.resolve(f));
    }
    return l0.getParent().getParent();
  }

  @Test
  void restore_decodeThreads1To4_byteIdenticalToReferenceDatabase() throws Exception {
    byte[] want = Files.readAllBytes(TestData.path("ltx", "db", "tx3.db"));
    for (String set : new String[] {"nochecksum", "checksum"}) {
      Path root = replica(set);
      try (FileReplicaClient c = FileReplicaClient.create(root)) {
        for (int threads = 1; threads <= 4; threads++) {
          Path out = tmp.resolve(set + "-" + threads + ".db");
          Restorer.Result r = Restorer.restore(c, RestoreTarget.latest(), out,
              Restorer.Options.defaults().withDecodeThreads(threads));
          assertArrayEquals(want, Files.readAllBytes(out), set + " threads " + threads);
          assertEquals(want.length / r.pageSize(), r.pageCount());
        }
      }
    }
  }

  @Test
  void restore_corruptFileInReplica_failsWithTheDecodersMessageAndLeavesNothing() throws Exception {
    corruptFile_restoreFails("nochecksum", 1, FileReplicaClient::create);
  }

  /**
   * Flips one bit of file {@code index} of {@code set}, restores through {@code replica} and checks
   * the restore fails with the streaming decoder's message and leaves nothing behind.
   */
  private void corruptFile_restoreFails(String set, int index,
      java.util.function.Function<Path, ReplicaClient> replica) throws Exception {
    Path root = replica(set);
    Path victim = root.resolve("ltx/0").resolve(CHAIN.get(index));
    byte[] b = Files.readAllBytes(victim);
    b[b.length / 2] ^= 0x01;
    Files.write(victim, b);
    LtxCorruptException want = assertThrows(LtxCorruptException.class,
        () -> LtxDecoder.verify(new ByteArrayInputStream(b), "L0/" + CHAIN.get(index)));
    Path out = tmp.resolve("out-" + set).resolve("restored.db");
    try (ReplicaClient c = replica.apply(root)) {
      LtxCorruptException e = assertThrows(LtxCorruptException.class,
          () -> Restorer.restore(c, RestoreTarget.latest(), out, Restorer.Options.defaults().withDecodeThreads(2)));
      assertEquals(want.getMessage(), e.getMessage());
    }
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertEquals(List.of(), left.toList(), "nothing may be left behind");
    }
  }

  /** A replica that is not a {@link FileReplicaClient} (so restores download), checking each open. */
  private static final class Remote extends ForwardingReplicaClient {
    final Runnable onOpen;
    final java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();

    Remote(FileReplicaClient files, Runnable onOpen) {
      super(files);
      this.onOpen = onOpen;
    }

    @Override
    public String type() {
      return "remote-test";
    }

    @Override
    public String describe() {
      return "remote " + delegate.describe();
    }

    @Override
    public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
      onOpen.run();
      opens.incrementAndGet();
      return delegate.open(level, min, max, offset, length);
    }

    @Override
    public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
      throw new UnsupportedOperationException("read-only in this test");
    }

    @Override
    public void delete(Collection<LtxFileInfo> f) {
      throw new UnsupportedOperationException("read-only in this test");
    }

    @Override
    public void deleteAll() {
      throw new UnsupportedOperationException("read-only in this test");
    }
  }

  @Test
  void restore_smallPlanFromRemoteReplica_inMemoryWithoutTempDirectoryAndByteIdentical() throws Exception {
    byte[] want = Files.readAllBytes(TestData.path("ltx", "db", "tx3.db"));
    for (String set : new String[] {"nochecksum", "checksum"}) {
      Path outDir = Files.createDirectories(tmp.resolve("out-" + set));
      List<List<String>> seen = new java.util.ArrayList<>();
      try (Remote c = new Remote(FileReplicaClient.create(replica(set)), () -> {
        try (Stream<Path> s = Files.list(outDir)) {
          seen.add(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".restore-")).toList());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      })) {
        for (int parallelism : new int[] {1, 4}) {
          Path out = outDir.resolve("p" + parallelism + ".db");
          Restorer.Result r = Restorer.restore(c, RestoreTarget.latest(), out,
              Restorer.Options.defaults().withParallelism(parallelism));
          assertArrayEquals(want, Files.readAllBytes(out), set + " parallelism " + parallelism);
          assertEquals(CHAIN.size(), r.files().size());
        }
        assertEquals(2 * CHAIN.size(), c.opens.get(), "each file downloaded once per restore");
      }
      assertEquals(2 * CHAIN.size(), seen.size());
      seen.forEach(dirs -> assertEquals(List.of(), dirs, "no temp directory while downloading a small plan"));
    }
  }

  @Test
  void restore_corruptFileFromRemoteReplica_inMemoryFailsLikeTheDecoderAndLeavesNothing() throws Exception {
    corruptFile_restoreFails("checksum", 2, root -> new Remote(FileReplicaClient.create(root), () -> {}));
  }

  @Test
  void readAll_streamShorterOrLongerThanListed_returnsWhatTheStreamHolds() throws Exception {
    byte[] data = {1, 2, 3, 4, 5};
    assertArrayEquals(data, Restorer.readAll(new ByteArrayInputStream(data), 5));
    assertArrayEquals(data, Restorer.readAll(new ByteArrayInputStream(data), 3));
    assertArrayEquals(data, Restorer.readAll(new ByteArrayInputStream(data), 8));
    assertArrayEquals(data, Restorer.readAll(new ByteArrayInputStream(data), 0));
  }

  @Test
  void restore_durableAndLargerThanWriteBehindThreshold_sameContentAsSource() throws Exception {
    Path src = tmp.resolve("big.db");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + src);
        java.sql.Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
      // Random bytes do not compress: the replica is as large as the database, over the threshold.
      st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
          + "INSERT INTO t (v) SELECT randomblob(4000) FROM n");
    }
    Path root = tmp.resolve("big-replica");
    try (var rt = dev.runnel.replicate.ReplicationRuntime.createDefault();
        var db = dev.runnel.replicate.ReplicatedDatabase.open(src, FileReplicaClient.create(root),
            dev.runnel.replicate.ReplicationOptions.defaults(), rt)) {
      db.sync();
    }
    try (FileReplicaClient c = FileReplicaClient.create(root)) {
      Restorer.Result r = Restorer.restore(c, RestoreTarget.latest(), tmp.resolve("big-restored.db"),
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      org.junit.jupiter.api.Assertions.assertTrue(r.bytesDownloaded() >= Restorer.WRITE_BEHIND_MIN_BYTES, "replica bytes " + r.bytesDownloaded());
    }
    assertEquals(contentHash(src), contentHash(tmp.resolve("big-restored.db")));
  }

  @Test
  void restore_remoteReplicaWithMoreFilesThanOpenAtOnce_mergedInRoundsSameContent() throws Exception {
    Path src = tmp.resolve("many.db");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + src);
        java.sql.Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    Path root = tmp.resolve("many-replica");
    try (var rt = dev.runnel.replicate.ReplicationRuntime.createDefault();
        var db = dev.runnel.replicate.ReplicatedDatabase.open(src, FileReplicaClient.create(root),
            dev.runnel.replicate.ReplicationOptions.defaults(), rt);
        java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
      for (int i = 0; i < Restorer.MAX_OPEN_INPUTS + 20; i++) {
        st.execute("INSERT INTO t (v) VALUES (randomblob(200))");
        db.sync(); // one L0 file per row
      }
    }
    // Not a FileReplicaClient: the files are downloaded, then merged in rounds.
    try (var c = new dev.runnel.replica.CountingReplicaClient(FileReplicaClient.create(root))) {
      Restorer.Result r = Restorer.restore(c, RestoreTarget.latest(), tmp.resolve("many-restored.db"),
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      org.junit.jupiter.api.Assertions.assertTrue(r.files().size() > Restorer.MAX_OPEN_INPUTS, "plan " + r.files().size());
    }
    assertEquals(contentHash(src), contentHash(tmp.resolve("many-restored.db")));
  }

  private static String contentHash(Path db) throws Exception {
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
      while (rs.next()) {
        md.update(Long.toString(rs.getLong(1)).getBytes());
        md.update(rs.getBytes(2));
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Test
  void options_decodeThreadsBelowOne_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Restorer.Options.defaults().withDecodeThreads(0));
  }
}
