package dev.runnel.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.TestData;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountingReplicaClientTest {
  @TempDir
  Path tmp;

  private static byte[] golden(String range) throws Exception {
    return Files.readAllBytes(TestData.path("ltx", "nochecksum", range + ".ltx"));
  }

  @Test
  void requests_mixedOperations_countedByKindLevelAndBytes() throws Exception {
    byte[] l0 = golden("0000000000000001-0000000000000001");
    byte[] l1 = golden("0000000000000001-0000000000000003");
    try (CountingReplicaClient c = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("r")))) {
      c.init();
      LtxFileInfo a = c.write(0, TxId.of(1), TxId.of(1), new ByteArrayInputStream(l0));
      LtxFileInfo b = c.write(1, TxId.of(1), TxId.of(3), new ByteArrayInputStream(l1));
      assertEquals(1, c.list(0).size());
      try (InputStream in = c.open(1, TxId.of(1), TxId.of(3), 0, -1)) {
        assertEquals(l1.length, in.readAllBytes().length);
      }
      c.delete(List.of());
      c.delete(List.of(a, b));

      CountingReplicaClient.Counts n = c.snapshot();
      assertEquals(2, n.puts());
      long[] puts = new long[LtxFileInfo.MAX_LEVEL + 1];
      puts[0] = 1;
      puts[1] = 1;
      assertArrayEquals(puts, n.putsByLevel());
      long[] bytes = new long[LtxFileInfo.MAX_LEVEL + 1];
      bytes[0] = l0.length;
      bytes[1] = l1.length;
      assertArrayEquals(bytes, n.putBytesByLevel());
      assertEquals(l0.length + l1.length, n.putBytes());
      assertEquals(1, n.gets());
      assertEquals(l1.length, n.getBytes());
      assertEquals(1, n.lists());
      assertEquals(1, n.deleteCalls(), "an empty delete sends nothing");
      assertEquals(2, n.filesDeleted());
      assertEquals(2 + 1 + 1 + 1, n.requests());
    }
  }

  @Test
  void open_missingFile_countedAndRethrown() throws Exception {
    try (CountingReplicaClient c = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("r")))) {
      c.init();
      assertThrows(NoSuchFileException.class, () -> c.open(0, TxId.of(7), TxId.of(7), 0, -1));
      assertEquals(1, c.snapshot().gets());
    }
  }

  @Test
  void minusAndReset_afterRequests_giveDeltaAndZero() throws Exception {
    try (CountingReplicaClient c = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("r")))) {
      c.init();
      c.list(0);
      CountingReplicaClient.Counts before = c.snapshot();
      c.list(0);
      c.list(1);
      c.deleteAll();
      CountingReplicaClient.Counts delta = c.snapshot().minus(before);
      assertEquals(2, delta.lists());
      assertEquals(1, delta.deleteCalls());
      assertEquals(3, delta.requests());
      c.reset();
      assertEquals(0, c.snapshot().requests());
    }
  }

  @Test
  void snapshot_arrays_areCopies() throws Exception {
    try (CountingReplicaClient c = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("r")))) {
      CountingReplicaClient.Counts n = c.snapshot();
      n.putsByLevel()[0] = 99;
      assertEquals(0, n.putsByLevel()[0]);
      assertEquals(0, n.puts());
    }
  }

  @Test
  void list_concurrentCallers_noCountLost() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (CountingReplicaClient c = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("r")))) {
      c.init();
      List<Future<?>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 250; i++) {
            c.list(i % (LtxFileInfo.MAX_LEVEL + 1));
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      assertEquals(1000, c.snapshot().lists());
    } finally {
      pool.shutdownNow();
    }
  }
}
