package dev.runnel.replica.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.testkit.Concurrently;
import dev.runnel.testkit.Fixtures;
import dev.runnel.testkit.ReplicaClientContract;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract plus what only the file layout can show. */
class FileReplicaClientContractTest extends ReplicaClientContract {
  private static final AtomicInteger SEQ = new AtomicInteger();

  @TempDir
  Path tmp;

  @Override
  protected ReplicaClient newClient() {
    return FileReplicaClient.create(tmp.resolve("replica-" + SEQ.incrementAndGet()));
  }

  private FileReplicaClient file() {
    return (FileReplicaClient) client;
  }

  private List<String> dirNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void write_anyLevel_usesLitestreamLayout() throws Exception {
    put(0, 1, 1, TS, 1);
    put(9, 1, 0x1a, TS, 1);
    Path root = file().root();
    assertTrue(Files.isRegularFile(root.resolve("ltx/0/0000000000000001-0000000000000001.ltx")));
    assertTrue(Files.isRegularFile(root.resolve("ltx/9/0000000000000001-000000000000001a.ltx")));
    assertEquals(List.of("0", "9"), dirNames(root.resolve("ltx")));
  }

  @Test
  void write_header_stampsMtimeAndAtime() throws Exception {
    put(0, 1, 1, TS, 1);
    BasicFileAttributes a = Files.readAttributes(file().filePath(0, tx(1), tx(1)), BasicFileAttributes.class);
    assertEquals(FileTime.fromMillis(TS), a.lastModifiedTime());
    assertEquals(FileTime.fromMillis(TS), a.lastAccessTime());
  }

  @Test
  void list_nonLtxNamesInLevelDir_areIgnored() throws Exception {
    put(0, 2, 2, TS, 1);
    Path dir = file().levelDir(0);
    for (String junk : List.of(
        "0000000000000001-0000000000000001.ltx.tmp",
        "0000000000000003-0000000000000003.ltx.0e5f.tmp",
        "000000000000000A-000000000000000A.ltx",
        "0000000000000003-0000000000000001.ltx",
        "0000000000000000-0000000000000001.ltx",
        "000000000000001-0000000000000001.ltx",
        "0000000000000001-0000000000000001.LTX",
        "0000000000000001_0000000000000001.ltx",
        "notes.txt",
        ".DS_Store")) {
      Files.write(dir.resolve(junk), Fixtures.syntheticLtx(1, 1, TS, 1));
    }
    Files.createDirectory(dir.resolve("0000000000000004-0000000000000004.ltx"));
    assertEquals(List.of(LtxFileName.of(tx(2), tx(2))), names(0));
  }

  @Test
  void list_fileCopiedInByAnotherTool_reportsItsMtime() throws Exception {
    // A replica directory written by Litestream itself: same layout, mtime = header timestamp.
    Path dir = Files.createDirectories(file().root().resolve("ltx/0"));
    Path f = dir.resolve("0000000000000002-0000000000000002.ltx");
    Files.copy(Fixtures.path("ltx/nochecksum/0000000000000002-0000000000000002.ltx"), f);
    Files.setLastModifiedTime(f, FileTime.fromMillis(GOLDEN_TS + 1000));
    LtxFileInfo info = client.list(0).get(0);
    assertEquals(Instant.ofEpochMilli(GOLDEN_TS + 1000), info.createdAt());
    assertEquals(Files.size(f), info.size());
  }

  @Test
  void write_streamFailsMidway_leavesNoTempFile() throws Exception {
    byte[] prefix = java.util.Arrays.copyOf(Fixtures.syntheticLtx(1, 5, TS, 10_000), 3_000);
    assertThrows(IOException.class, () -> client.write(0, tx(1), tx(5), failingAfter(prefix)));
    Path dir = file().levelDir(0);
    assertEquals(List.of(), Files.exists(dir) ? dirNames(dir) : List.of());
  }

  @Test
  void write_badHeader_createsNoDirectoryOrTempFile() throws Exception {
    assertThrows(IOException.class,
        () -> client.write(3, tx(1), tx(2), new ByteArrayInputStream(Fixtures.syntheticLtx(1, 3, TS, 10))));
    assertFalse(Files.exists(file().levelDir(3)));
  }

  @Test
  void open_missingFile_messageNamesFullPath() throws Exception {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> client.open(4, tx(1), tx(2), 0, -1));
    assertEquals(file().filePath(4, tx(1), tx(2)).toString(), e.getFile());
  }

  @Test
  void deleteAll_otherFilesInRoot_areKept() throws Exception {
    put(0, 1, 1, TS, 1);
    Path root = file().root();
    Files.writeString(root.resolve("keep.txt"), "mine");
    Files.createDirectories(root.resolve("generations/0123456789abcdef"));
    client.deleteAll();
    assertFalse(Files.exists(root.resolve("ltx")));
    assertEquals("mine", Files.readString(root.resolve("keep.txt")));
    assertTrue(Files.isDirectory(root.resolve("generations/0123456789abcdef")));
  }

  @Test
  void describe_isFileUrlOfAbsoluteRoot() {
    assertEquals("file://" + file().root(), client.describe());
    assertTrue(file().root().isAbsolute());
    assertEquals("file", client.type());
  }

  @Test
  void conditionalObjects_liveDirectlyUnderRoot() throws Exception {
    ConditionalStore s = client.conditionalStore().orElseThrow();
    s.createIfAbsent("lease.json", "x".getBytes(StandardCharsets.UTF_8));
    Path root = file().root();
    assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(root.resolve("lease.json")));
    assertTrue(Files.exists(root.resolve(FileConditionalStore.LOCK_FILE)));
    // No temp files are left behind.
    assertEquals(List.of(FileConditionalStore.LOCK_FILE, "lease.json"), dirNames(root));
  }

  @Test
  void conditionalCreateIfAbsent_twoClientsOnOneRoot_exactlyOneWinner() throws Exception {
    // Separate client instances share only the directory: the JVM-wide lock is keyed by real path.
    Path root = file().root();
    Files.createDirectories(tmp.resolve("links"));
    Path alias = Files.createSymbolicLink(tmp.resolve("links/alias"), root);
    List<ConditionalStore> stores = List.of(
        FileReplicaClient.create(root).conditionalStore().orElseThrow(),
        FileReplicaClient.create(alias).conditionalStore().orElseThrow());
    for (int round = 0; round < 20; round++) {
      String name = "k" + round;
      List<Boolean> won = Concurrently.run(8, t -> stores.get(t % 2).createIfAbsent(name, new byte[] {(byte) t}));
      assertEquals(1, won.stream().filter(b -> b).count(), "round " + round);
    }
  }

  @Test
  void list_seekBeyondEveryFile_returnsEmpty() throws Exception {
    put(0, 1, 1, TS, 1);
    assertEquals(List.of(), client.list(0, TxId.of(2), true));
  }
}
