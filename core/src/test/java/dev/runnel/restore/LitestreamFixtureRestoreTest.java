package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.TestData;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas laid out from files the reference implementation wrote restore byte for byte. */
class LitestreamFixtureRestoreTest {
  @TempDir Path tmp;

  private Path replica(String set, String... l0Files) throws Exception {
    Path root = tmp.resolve(set + "-replica");
    Path l0 = Files.createDirectories(root.resolve("ltx/0"));
    for (String f : l0Files) {
      Files.copy(TestData.path("ltx", set, f), l0.resolve(f));
    }
    return root;
  }

  private void assertRestores(Path root, RestoreTarget target, String expectedDb) throws Exception {
    try (FileReplicaClient c = FileReplicaClient.create(root)) {
      Path out = tmp.resolve("out-" + System.nanoTime() + ".db");
      Restorer.restore(c, target, out, Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      assertArrayEquals(Files.readAllBytes(TestData.path("ltx", "db", expectedDb)), Files.readAllBytes(out),
          target + " should equal " + expectedDb);
      assertEquals(false, Files.exists(Path.of(out + "-wal")) || Files.exists(Path.of(out + "-shm")),
          "the integrity check must not leave -wal/-shm behind");
    }
  }

  @Test
  void restore_currentEncodingL0Chain_byteIdenticalAtEveryTxId() throws Exception {
    Path root = replica("nochecksum", "0000000000000001-0000000000000001.ltx", "0000000000000002-0000000000000002.ltx",
        "0000000000000003-0000000000000003.ltx");
    assertRestores(root, RestoreTarget.latest(), "tx3.db");
    assertRestores(root, RestoreTarget.atTxId(TxId.of(1)), "tx1.db");
    assertRestores(root, RestoreTarget.atTxId(TxId.of(2)), "tx2.db");
  }

  @Test
  void restore_legacyEncoding_byteIdentical() throws Exception {
    Path root = replica("legacy", "0000000000000001-0000000000000001.ltx", "0000000000000002-0000000000000002.ltx");
    assertRestores(root, RestoreTarget.latest(), "tx2.db");
    assertRestores(root, RestoreTarget.atTxId(TxId.of(1)), "tx1.db");
  }

  @Test
  void restore_checksumTrackedFiles_byteIdentical() throws Exception {
    Path root = replica("checksum", "0000000000000001-0000000000000001.ltx", "0000000000000002-0000000000000002.ltx",
        "0000000000000003-0000000000000003.ltx");
    assertRestores(root, RestoreTarget.latest(), "tx3.db");
  }

  @Test
  void restore_compactedLevelOneFile_preferredAndByteIdentical() throws Exception {
    Path root = replica("nochecksum", "0000000000000001-0000000000000001.ltx");
    Path l1 = Files.createDirectories(root.resolve("ltx/1"));
    Files.copy(TestData.path("ltx", "nochecksum", "0000000000000001-0000000000000003.ltx"),
        l1.resolve("0000000000000001-0000000000000003.ltx"));
    try (FileReplicaClient c = FileReplicaClient.create(root)) {
      RestorePlan plan = RestorePlanner.plan(c, RestoreTarget.latest());
      assertEquals(1, plan.files().size(), "the L1 file covers everything: " + plan.files());
    }
    assertRestores(root, RestoreTarget.latest(), "tx3.db");
  }

  @Test
  void restore_mixedEncodingsInOneReplica_byteIdentical() throws Exception {
    Path root = replica("legacy", "0000000000000001-0000000000000001.ltx");
    Files.copy(TestData.path("ltx", "nochecksum", "0000000000000002-0000000000000002.ltx"),
        root.resolve("ltx/0/0000000000000002-0000000000000002.ltx"));
    Files.copy(TestData.path("ltx", "nochecksum", "0000000000000003-0000000000000003.ltx"),
        root.resolve("ltx/0/0000000000000003-0000000000000003.ltx"));
    assertRestores(root, RestoreTarget.latest(), "tx3.db");
  }
}
