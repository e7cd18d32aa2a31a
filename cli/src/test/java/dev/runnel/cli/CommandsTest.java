package dev.runnel.cli;

import static dev.runnel.cli.RunnelProcess.sqlite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** replicate -once, ltx, databases, status, snapshot, verify, and the argument and config errors. */
class CommandsTest {
  @TempDir Path tmp;
  Path db;
  Path replica;
  Path cfg;

  @BeforeEach
  void setUp() throws Exception {
    db = tmp.resolve("app.db");
    replica = tmp.resolve("replica");
    cfg = tmp.resolve("litestream.yml");
    Files.writeString(cfg, "dbs:\n  - path: " + db + "\n    replica:\n      url: file://" + replica + "\n"
        + "  - path: " + tmp.resolve("other.db") + "\n    replica:\n      url: s3://my-bucket/backups/app?region=eu-west-1\n"
        + "      access-key-id: AKIAEXAMPLE\n      secret-access-key: supersecret\n");
    sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('one');");
  }

  private static long count(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".ltx")).count();
    }
  }

  @Test
  void replicateOnce_forceSnapshot_urlMode() throws Exception {
    CliRun r = CliRun.of("replicate", "-once", "-force-snapshot", db.toString(), "file://" + replica);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(count(replica.resolve("ltx/0")) >= 1);
    assertEquals(1, count(replica.resolve("ltx/9")));
    CliRun again = CliRun.of("replicate", "-once", db.toString(), replica.toString());
    assertEquals(0, again.exitCode(), again.err());
    assertEquals(1, count(replica.resolve("ltx/9")), "no snapshot without -force-snapshot");
  }

  @Test
  void replicate_argumentErrors() {
    CliRun both = CliRun.of("replicate", "-config", cfg.toString(), db.toString(), "file://" + replica);
    assertEquals(1, both.exitCode());
    assertTrue(both.err().startsWith("Error: cannot specify a replica URL and the -config flag"), both.err());
    CliRun one = CliRun.of("replicate", db.toString());
    assertEquals(1, one.exitCode());
    CliRun three = CliRun.of("replicate", db.toString(), "file:///a", "file:///b");
    assertEquals(1, three.exitCode());
    assertTrue(three.err().contains("only one replica URL"), three.err());
    CliRun snap = CliRun.of("replicate", "-force-snapshot", "-config", cfg.toString());
    assertEquals(1, snap.exitCode());
    assertTrue(snap.err().contains("-force-snapshot requires -once"), snap.err());
    CliRun exec = CliRun.of("replicate", "-once", "-exec", "true", db.toString(), "file://" + replica);
    assertEquals(1, exec.exitCode());
    CliRun unknownFlag = CliRun.of("replicate", "-bogus");
    assertEquals(1, unknownFlag.exitCode());
    assertTrue(unknownFlag.err().contains("Try: runnel replicate --help"), unknownFlag.err());
  }

  @Test
  void configErrors_exitOneWithFileAndLine() throws Exception {
    Path bad = tmp.resolve("bad.yml");
    Files.writeString(bad, "dbs:\n  - path: /tmp/x.db\n    monitor-interval: 1 second\n    replica:\n      url: file:///tmp/r\n");
    CliRun r = CliRun.of("replicate", "-config", bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("Error: "), r.err());
    assertTrue(r.err().contains("bad.yml:3"), r.err());
    assertTrue(r.err().contains("monitor-interval"), r.err());
    assertTrue(r.err().contains("Try: "), r.err());
    CliRun missing = CliRun.of("databases", "-config", tmp.resolve("nope.yml").toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().contains("config file not found"), missing.err());
    Path empty = tmp.resolve("empty.yml");
    Files.writeString(empty, "");
    CliRun none = CliRun.of("replicate", "-config", empty.toString());
    assertEquals(1, none.exitCode());
    assertTrue(none.err().contains("no databases specified"), none.err());
  }

  @Test
  void ltx_listsLevels_textAndJson_subcommandsStillWork() throws Exception {
    assertEquals(0, CliRun.of("replicate", "-once", "-force-snapshot", db.toString(), "file://" + replica).exitCode());
    CliRun l0 = CliRun.of("ltx", "-config", cfg.toString(), db.toString());
    assertEquals(0, l0.exitCode(), l0.err());
    assertTrue(l0.out().startsWith("level  min_txid"), l0.out());
    assertTrue(l0.out().contains("0000000000000001"), l0.out());
    CliRun all = CliRun.of("ltx", "-level", "all", "-json", "file://" + replica);
    assertEquals(0, all.exitCode(), all.err());
    assertTrue(all.out().contains("\"level\": 9") && all.out().contains("\"created\": "), all.out());
    CliRun l9 = CliRun.of("ltx", "-level=9", "file://" + replica);
    assertTrue(l9.out().lines().skip(1).allMatch(line -> line.startsWith("9")), l9.out());
    CliRun bad = CliRun.of("ltx", "-level", "10", "file://" + replica);
    assertEquals(1, bad.exitCode());
    Path f = replica.resolve("ltx/9/0000000000000001-0000000000000001.ltx");
    CliRun verify = CliRun.of("ltx", "verify", f.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
  }

  @Test
  void databases_listsWithoutSecrets() {
    CliRun r = CliRun.of("databases", "-config", cfg.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains(db.toString()) && r.out().contains("file://" + replica), r.out());
    assertTrue(r.out().contains("s3://my-bucket/backups/app"), r.out());
    assertFalse(r.out().contains("supersecret") || r.out().contains("AKIAEXAMPLE"), r.out());
    CliRun j = CliRun.of("databases", "-json", "-config", cfg.toString());
    assertTrue(j.out().contains("\"replica_type\": \"s3\""), j.out());
    assertFalse(j.out().contains("supersecret"), j.out());
  }

  @Test
  void status_offline_localAndReplicaTxid() throws Exception {
    Path one = tmp.resolve("one.yml");
    Files.writeString(one, "dbs:\n  - path: " + db + "\n    replica:\n      url: file://" + replica + "\n");
    CliRun before = CliRun.of("status", "-json", "-config", one.toString());
    assertEquals(0, before.exitCode(), before.err());
    assertTrue(before.out().contains("\"state\": \"not replicated\""), before.out());
    assertEquals(0, CliRun.of("replicate", "-once", "-config", one.toString()).exitCode());
    CliRun after = CliRun.of("status", "-config", one.toString(), db.toString());
    assertEquals(0, after.exitCode(), after.err());
    assertTrue(after.out().contains(db.toString()) && after.out().contains(" ok "), after.out());
    assertTrue(after.out().contains("0000000000000001"), after.out());
  }

  @Test
  void snapshot_writesLevel9_andVerifyPassesThenFailsOnCorruption() throws Exception {
    Path one = tmp.resolve("one.yml");
    Files.writeString(one, "dbs:\n  - path: " + db + "\n    replica:\n      url: file://" + replica + "\n");
    CliRun s = CliRun.of("snapshot", "-config", one.toString(), db.toString());
    assertEquals(0, s.exitCode(), s.err());
    assertEquals(1, count(replica.resolve("ltx/9")));
    sqlite(db, "INSERT INTO t VALUES ('two')");
    assertEquals(0, CliRun.of("replicate", "-once", "-config", one.toString()).exitCode());
    CliRun v = CliRun.of("verify", "-config", one.toString(), db.toString());
    assertEquals(0, v.exitCode(), v.out() + v.err());
    assertTrue(v.out().contains("OK") && v.out().contains("integrity_check ok"), v.out());
    // Flip a byte in the newest L0 file: verify names it and exits 1.
    List<Path> l0;
    try (Stream<Path> st = Files.list(replica.resolve("ltx/0"))) {
      l0 = st.sorted().toList();
    }
    Path last = l0.get(l0.size() - 1);
    byte[] b = Files.readAllBytes(last);
    b[b.length - 20] ^= 0x5a;
    Files.write(last, b);
    CliRun bad = CliRun.of("verify", "-json", "file://" + replica);
    assertEquals(1, bad.exitCode(), bad.out());
    assertTrue(bad.out().contains(last.getFileName().toString()) && bad.out().contains("\"ok\": false"), bad.out());
  }

  @Test
  void shellWords_splitLikeAShell() {
    assertEquals(List.of("sh", "-c", "echo 'hi' \"there\""), ShellWords.split("sh -c \"echo 'hi' \\\"there\\\"\""));
    assertEquals(List.of("a b", "c"), ShellWords.split("'a b'  c"));
    assertEquals(List.of("x y", ""), ShellWords.split("x\\ y ''"));
    assertEquals(List.of(), ShellWords.split("   "));
  }

  @Test
  void metricsAddr_parsing() throws Exception {
    assertEquals(9090, MetricsServer.parseAddr(":9090").getPort());
    assertTrue(MetricsServer.parseAddr(":9090").getAddress().isAnyLocalAddress());
    assertEquals("127.0.0.1", MetricsServer.parseAddr("127.0.0.1:1").getHostString());
    org.junit.jupiter.api.Assertions.assertThrows(CliException.class, () -> MetricsServer.parseAddr("9090"));
  }

  @Test
  void metaPath_fromConfig_holdsLocalState() throws Exception {
    Path meta = tmp.resolve("state/app-meta");
    Path one = tmp.resolve("meta.yml");
    Files.writeString(one, "dbs:\n  - path: " + db + "\n    meta-path: " + meta + "\n    replica:\n      url: file://"
        + replica + "\n");
    CliRun r = CliRun.of("replicate", "-once", "-config", one.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isDirectory(meta.resolve("ltx/0")), "local state under meta-path");
    assertFalse(Files.exists(tmp.resolve(".app.db-litestream")), "nothing beside the database");
    CliRun st = CliRun.of("status", "-json", "-config", one.toString());
    assertTrue(st.out().contains("\"local_txid\": \"0000000000000001\""), st.out());
  }

  @Test
  void s3Replica_configKeysReachTheBackend() throws Exception {
    var c = dev.runnel.config.ConfigLoader.system().load(cfg.toString(), true).config();
    DbSpec other = DbSpec.resolve(c, tmp.resolve("other.db"));
    assertEquals("s3://my-bucket/backups/app", other.replicaUrl());
    var s3 = (dev.runnel.config.S3Replica) other.replica().orElseThrow().destination();
    var opts = DbSpec.s3Options(s3);
    assertEquals("eu-west-1", opts.get("region"));
    assertEquals("AKIAEXAMPLE", opts.get("accessKeyId"));
    assertEquals("supersecret", opts.get("secretAccessKey"));
    assertEquals("backups/app", opts.get("path"));
    try (var client = other.openReplica()) {
      assertEquals("s3", client.type());
      assertFalse(client.describe().contains("supersecret"), client.describe());
    }
  }
}
