package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.TestData;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner over a real file replica holding the golden LTX files. */
class RestorePlannerClientTest {
  private static final long TS1 = 1735689600000L;

  @TempDir
  Path tmp;

  private LtxFileInfo put(FileReplicaClient c, int level, String range) throws Exception {
    byte[] data = Files.readAllBytes(TestData.path("ltx", "nochecksum", range + ".ltx"));
    TxId min = TxId.parse(range.substring(0, 16));
    TxId max = TxId.parse(range.substring(17));
    return c.write(level, min, max, new ByteArrayInputStream(data));
  }

  @Test
  void plan_goldenReplica_followsTargets() throws Exception {
    try (FileReplicaClient c = FileReplicaClient.create(tmp.resolve("replica"))) {
      c.init();
      LtxFileInfo t1 = put(c, 0, "0000000000000001-0000000000000001");
      LtxFileInfo t2 = put(c, 0, "0000000000000002-0000000000000002");
      LtxFileInfo t3 = put(c, 0, "0000000000000003-0000000000000003");
      assertEquals(List.of(t1, t2, t3), RestorePlanner.plan(c, RestoreTarget.latest()).files());
      assertEquals(List.of(t1, t2), RestorePlanner.plan(c, RestoreTarget.atTxId(TxId.of(2))).files());
      // Header timestamps are 1735689600000 + 0/1000/2000 ms; the bound is exclusive.
      assertEquals(List.of(t1), RestorePlanner.plan(c, RestoreTarget.atTime(Instant.ofEpochMilli(TS1 + 1000))).files());
      assertEquals(List.of(t1, t2), RestorePlanner.plan(c, RestoreTarget.atTime(Instant.ofEpochMilli(TS1 + 1001))).files());

      LtxFileInfo l1 = put(c, 1, "0000000000000001-0000000000000003");
      assertEquals(List.of(l1), RestorePlanner.plan(c, RestoreTarget.latest()).files());
      c.delete(List.of(t2));
      assertEquals(List.of(t1), RestorePlanner.plan(c, RestoreTarget.atTxId(TxId.of(1))).files());
      assertThrows(NoMatchingBackupException.class, () -> RestorePlanner.plan(c, RestoreTarget.atTxId(TxId.of(2))));
      c.delete(List.of(l1));
      ReplicaGapException e = assertThrows(ReplicaGapException.class, () -> RestorePlanner.plan(c, RestoreTarget.latest()));
      assertTrue(e.getMessage().contains(c.describe()), e.getMessage());
    }
  }
}
