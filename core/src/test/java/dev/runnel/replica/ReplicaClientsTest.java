package dev.runnel.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.file.FileReplicaClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaClientsTest {
  @TempDir
  Path tmp;

  private static Path root(ReplicaClient c) {
    return assertInstanceOf(FileReplicaClient.class, c).root();
  }

  @Test
  void knownSchemes_includesFileFromServiceLoader() {
    assertTrue(ReplicaClients.knownSchemes().contains("file"), ReplicaClients.knownSchemes().toString());
  }

  @Test
  void open_fileUrlWithAbsolutePath_isFileClientAtThatPath() {
    assertEquals(tmp.resolve("r"), root(ReplicaClients.open("file://" + tmp.resolve("r"))));
    assertEquals(tmp.resolve("r"), root(ReplicaClients.open("FILE://" + tmp.resolve("r"))));
    assertEquals(tmp.resolve("r"), root(ReplicaClients.open("file://localhost" + tmp.resolve("r"))));
  }

  @Test
  void open_fileUrlWithQuery_ignoresQuery() {
    assertEquals(tmp.resolve("r"), root(ReplicaClients.open("file://" + tmp.resolve("r") + "?sync-interval=1s")));
  }

  @Test
  void open_fileUrlPercentEncoded_isDecoded() {
    assertEquals(Path.of("/backups/my db"), root(ReplicaClients.open("file:///backups/my%20db")));
  }

  @Test
  void open_fileUrlWithHost_throwsIllegalArgumentSuggestingFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicaClients.open("file://backups/db"));
    assertTrue(e.getMessage().contains("file:///backups/db"), e.getMessage());
  }

  @Test
  void open_fileUrlWithoutPath_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> ReplicaClients.open("file://"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaClients.open("file:///"));
  }

  @Test
  void open_plainPaths_areFileClients() {
    assertEquals(tmp.resolve("r"), root(ReplicaClients.open(tmp.resolve("r").toString())));
    assertEquals(Path.of("rel/dir").toAbsolutePath(), root(ReplicaClients.open("rel/dir")));
    assertEquals(Path.of("rel").toAbsolutePath(), root(ReplicaClients.open("file:rel")));
    assertEquals(Path.of("/abs/x"), root(ReplicaClients.open("file:/abs/x")));
  }

  @Test
  void open_unknownScheme_throwsListingKnownSchemes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicaClients.open("gopher://bucket/db"));
    assertTrue(e.getMessage().contains("\"gopher\""), e.getMessage());
    assertTrue(e.getMessage().contains("[file"), e.getMessage());
  }

  @Test
  void opener_fileBase_opensClientsOfThatSchemeOnly() throws Exception {
    java.util.function.Function<String, ReplicaClient> open = ReplicaClients.opener("file://" + tmp.resolve("base"));
    try (ReplicaClient c = open.apply("file://" + tmp.resolve("base").resolve("t1"))) {
      assertEquals(tmp.resolve("base").resolve("t1"), root(c));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open.apply("s3://bucket/t1"));
    assertTrue(e.getMessage().contains("expected a file:// URL"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> open.apply("/plain/path"));
  }

  @Test
  void opener_unknownSchemeOrEmpty_failsAtOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicaClients.opener("gopher://bucket/tenants"));
    assertTrue(e.getMessage().contains("\"gopher\""), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ReplicaClients.opener(" "));
  }

  @Test
  void opener_plainPathBase_opensFileClients() throws Exception {
    try (ReplicaClient c = ReplicaClients.opener(tmp.resolve("p").toString()).apply(tmp.resolve("p/t").toString())) {
      assertEquals(tmp.resolve("p/t"), root(c));
    }
  }

  @Test
  void open_emptyInput_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> ReplicaClients.open(""));
    assertThrows(IllegalArgumentException.class, () -> ReplicaClients.open("  "));
  }

  @Test
  void open_fileUrl_describesAsFileUrl() throws Exception {
    try (ReplicaClient c = ReplicaClients.open("file://" + tmp.resolve("r"))) {
      assertEquals("file://" + tmp.resolve("r"), c.describe());
      assertEquals("file", c.type());
    }
  }
}
