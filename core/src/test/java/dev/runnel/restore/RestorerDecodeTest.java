package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.TestData;
import dev.runnel.ltx.LtxCorruptException;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Restorer}'s parallel decode of file replicas: same bytes at any thread count, same errors. */
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
    Path root = replica("nochecksum");
    Path victim = root.resolve("ltx/0").resolve(CHAIN.get(1));
    byte[] b = Files.readAllBytes(victim);
    b[b.length / 2] ^= 0x01;
    Files.write(victim, b);
    LtxCorruptException want = assertThrows(LtxCorruptException.class,
        () -> LtxDecoder.verify(new ByteArrayInputStream(b), "L0/" + CHAIN.get(1)));
    Path out = tmp.resolve("out").resolve("restored.db");
    try (FileReplicaClient c = FileReplicaClient.create(root)) {
      LtxCorruptException e = assertThrows(LtxCorruptException.class,
          () -> Restorer.restore(c, RestoreTarget.latest(), out, Restorer.Options.defaults().withDecodeThreads(2)));
      assertEquals(want.getMessage(), e.getMessage());
    }
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertEquals(List.of(), left.toList(), "nothing may be left behind");
    }
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
