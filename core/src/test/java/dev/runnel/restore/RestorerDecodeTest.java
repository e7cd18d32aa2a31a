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
  void options_decodeThreadsBelowOne_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Restorer.Options.defaults().withDecodeThreads(0));
  }
}
