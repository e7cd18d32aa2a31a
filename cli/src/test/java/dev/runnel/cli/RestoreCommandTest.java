package dev.runnel.cli;

import static dev.runnel.cli.RunnelProcess.sqlite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RestoreCommandTest {
  @TempDir Path tmp;
  Path db;
  Path replica;
  Path cfg;

  /** A database replicated with {@code replicate -once} in three steps; TxIds 1..3 (+1 per step). */
  @BeforeEach
  void replicated() throws Exception {
    db = tmp.resolve("app.db");
    replica = tmp.resolve("replica");
    cfg = tmp.resolve("litestream.yml");
    Files.writeString(cfg, "dbs:\n  - path: " + db + "\n    replica:\n      url: file://" + replica + "\n");
    sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('one');");
    assertEquals(0, CliRun.of("replicate", "-once", "-config", cfg.toString()).exitCode());
    sqlite(db, "INSERT INTO t VALUES ('two')");
    assertEquals(0, CliRun.of("replicate", "-once", "-config", cfg.toString()).exitCode());
  }

  @Test
  void restore_url_latestAndTxid_jsonResult() throws Exception {
    Path out = tmp.resolve("out.db");
    CliRun r = CliRun.of("restore", "-json", "-o", out.toString(), "file://" + replica);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("\"db_path\": \"" + out + "\""), r.out());
    assertTrue(r.out().contains("\"replica\": "), r.out());
    assertTrue(r.out().matches("(?s).*\"txid\": \"[0-9a-f]{16}\".*"), r.out());
    assertTrue(r.out().contains("\"duration_ms\": ") && r.out().contains("\"integrity_check\": \"none\""), r.out());
    assertEquals("one,two", sqlite(out, "SELECT group_concat(v, ',') FROM t"));

    Path early = tmp.resolve("early.db");
    CliRun e = CliRun.of("restore", "-txid", "0000000000000001", "-o", early.toString(), "file://" + replica);
    assertEquals(0, e.exitCode(), e.err());
    assertEquals("one", sqlite(early, "SELECT group_concat(v, ',') FROM t"));
  }

  @Test
  void restore_dryRun_printsPlanWritesNothing() {
    Path out = tmp.resolve("dry.db");
    CliRun r = CliRun.of("restore", "-dry-run", "-o", out.toString(), "file://" + replica);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("level") && r.out().contains("min_txid") && r.out().contains("0000000000000001"),
        r.out());
    assertFalse(Files.exists(out));
    CliRun j = CliRun.of("restore", "-dry-run", "-json", "-o", out.toString(), "file://" + replica);
    assertEquals(0, j.exitCode(), j.err());
    assertTrue(j.out().contains("\"files\": [") && j.out().contains("\"max_txid\": ")
        && j.out().contains("\"timestamp\": "), j.out());
    assertFalse(Files.exists(out));
  }

  @Test
  void restore_configuredDb_existingOutput_refusedThenForceAndIfDbNotExists() throws Exception {
    CliRun r = CliRun.of("restore", "-config", cfg.toString(), db.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("Error: cannot restore, output path already exists and is not empty")
        && r.err().contains("Use -force"), r.err());
    CliRun skip = CliRun.of("restore", "-if-db-not-exists", "-config", cfg.toString(), db.toString());
    assertEquals(0, skip.exitCode(), skip.err());
    assertTrue(skip.err().contains("already exists"), skip.err());
    sqlite(db, "INSERT INTO t VALUES ('not replicated')");
    CliRun force = CliRun.of("restore", "-force", "-config", cfg.toString(), db.toString());
    assertEquals(0, force.exitCode(), force.err());
    assertEquals("one,two", sqlite(db, "SELECT group_concat(v, ',') FROM t"));
    assertFalse(Files.exists(tmp.resolve("app.db-wal")) && Files.size(tmp.resolve("app.db-wal")) > 0);
    // The restore was adopted: the next replicate continues the TxIds without a full re-upload.
    sqlite(db, "INSERT INTO t VALUES ('three')");
    assertEquals(0, CliRun.of("replicate", "-once", "-config", cfg.toString()).exitCode());
    Path out = tmp.resolve("again.db");
    assertEquals(0, CliRun.of("restore", "-config", cfg.toString(), "-o", out.toString(), db.toString()).exitCode());
    assertEquals("one,two,three", sqlite(out, "SELECT group_concat(v, ',') FROM t"));
  }

  @Test
  void restore_emptyReplica_noMatch_orIfReplicaExists() {
    Path out = tmp.resolve("x.db");
    CliRun r = CliRun.of("restore", "-o", out.toString(), "file://" + tmp.resolve("empty"));
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("Error: no matching backup files available"), r.err());
    CliRun ok = CliRun.of("restore", "-if-replica-exists", "-o", out.toString(), "file://" + tmp.resolve("empty"));
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.err().contains("no matching backups found"), ok.err());
    assertFalse(Files.exists(out));
    CliRun beyond = CliRun.of("restore", "-txid", "00000000000000ff", "-o", out.toString(), "file://" + replica);
    assertEquals(1, beyond.exitCode());
    assertTrue(beyond.err().contains("no matching backup files available"), beyond.err());
  }

  @Test
  void restore_flagErrors_oneLineAndHint() {
    CliRun badTx = CliRun.of("restore", "-txid", "12", "-o", "x.db", "file://" + replica);
    assertEquals(1, badTx.exitCode());
    assertTrue(badTx.err().startsWith("Error: invalid -txid \"12\": expected exactly 16 hex digits"), badTx.err());
    assertTrue(badTx.err().contains("Try: "), badTx.err());
    CliRun badTs = CliRun.of("restore", "-timestamp", "yesterday", "-o", "x.db", "file://" + replica);
    assertEquals(1, badTs.exitCode());
    assertTrue(badTs.err().startsWith("Error: invalid -timestamp"), badTs.err());
    CliRun both = CliRun.of("restore", "-txid", "0000000000000001", "-timestamp", "2026-01-01T00:00:00Z", "-o", "x.db",
        "file://" + replica);
    assertEquals(1, both.exitCode());
    CliRun noOut = CliRun.of("restore", "file://" + replica);
    assertEquals(1, noOut.exitCode());
    assertTrue(noOut.err().contains("output path required"), noOut.err());
    CliRun urlAndConfig = CliRun.of("restore", "-config", cfg.toString(), "-o", "x.db", "file://" + replica);
    assertEquals(1, urlAndConfig.exitCode());
    CliRun unknown = CliRun.of("restore", "-config", cfg.toString(), tmp.resolve("other.db").toString());
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().startsWith("Error: database not found in config: " + tmp.resolve("other.db")),
        unknown.err());
    CliRun goStyle = CliRun.of("restore", "-integrity-check=bogus", "-o", "x.db", "file://" + replica);
    assertEquals(1, goStyle.exitCode());
    assertTrue(goStyle.err().contains("invalid integrity check"), goStyle.err());
  }

  // ---------------------------------------------------------------- Litestream 0.3 replicas

  static Stream<Arguments> v3Rows() {
    return Stream.of(
        Arguments.of("simple", null, "latest.db"),
        Arguments.of("simple", "2026-11-22T03:27:20Z", "after-b1.db"),
        Arguments.of("simple", "2026-11-22T03:27:24Z", "after-b2.db"),
        Arguments.of("multi-generation", null, "latest.db"),
        Arguments.of("multi-generation", "2026-11-22T03:28:49Z", "gen1-after-b1.db"),
        Arguments.of("multi-generation", "2026-11-22T03:29:05Z", "gen2-after-b1.db"),
        Arguments.of("large-page", null, "latest.db"),
        Arguments.of("large-page", "2026-11-22T03:29:49Z", "after-b2.db"),
        Arguments.of("large-page", "2026-11-22T03:29:53Z", "after-b3.db"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("v3Rows")
  void restore_v3Fixture_matchesLitestream(String set, String ts, String expected) throws Exception {
    Path root = V3FixtureCopy.replica(set, tmp.resolve("v3"));
    Path out = tmp.resolve("v3-out.db");
    CliRun r = ts == null
        ? CliRun.of("restore", "-integrity-check", "full", "-o", out.toString(), "file://" + root)
        : CliRun.of("restore", "-integrity-check", "full", "-timestamp", ts, "-o", out.toString(), "file://" + root);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("Litestream 0.3"), r.out());
    assertArrayEquals(Files.readAllBytes(V3FixtureCopy.restored(set, expected)), Files.readAllBytes(out));
  }

  @Test
  void restore_v3DryRun_listsSnapshotAndSegments() throws Exception {
    Path root = V3FixtureCopy.replica("simple", tmp.resolve("v3"));
    CliRun r = CliRun.of("restore", "-dry-run", "-json", "-o", tmp.resolve("o.db").toString(), "file://" + root);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("\"source\": \"litestream-0.3\"") && r.out().contains("\"type\": \"snapshot\"")
        && r.out().contains("\"type\": \"wal\""), r.out());
  }

  @Test
  void restore_replicaWithV3AndLtx_newerWins() throws Exception {
    // LTX files written now are newer than the 0.3 fixture's files: latest restores the LTX state;
    // a timestamp before any LTX snapshot picks the 0.3 data.
    Path root = V3FixtureCopy.replica("simple", tmp.resolve("mixed"));
    Path src = tmp.resolve("src.db");
    sqlite(src, "PRAGMA journal_mode=WAL; CREATE TABLE ltx_only (v TEXT); INSERT INTO ltx_only VALUES ('ltx');");
    assertEquals(0, CliRun.of("replicate", "-once", "-force-snapshot", src.toString(), "file://" + root).exitCode());
    Path latest = tmp.resolve("latest.db");
    assertEquals(0, CliRun.of("restore", "-o", latest.toString(), "file://" + root).exitCode());
    assertEquals("ltx", sqlite(latest, "SELECT v FROM ltx_only"));
    Path old = tmp.resolve("old.db");
    CliRun r = CliRun.of("restore", "-timestamp", "2026-11-22T03:27:24Z", "-o", old.toString(), "file://" + root);
    assertEquals(0, r.exitCode(), r.err());
    assertArrayEquals(Files.readAllBytes(V3FixtureCopy.restored("simple", "after-b2.db")), Files.readAllBytes(old));
    // -txid never uses 0.3 data.
    Path tx = tmp.resolve("tx.db");
    assertEquals(0, CliRun.of("restore", "-txid", "0000000000000001", "-o", tx.toString(), "file://" + root)
        .exitCode());
    assertEquals("ltx", sqlite(tx, "SELECT v FROM ltx_only"));
  }
}
