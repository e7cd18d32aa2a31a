package dev.runnel.config;

import static dev.runnel.config.ConfigTestSupport.errors;
import static dev.runnel.config.ConfigTestSupport.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every error and warning path names the key and the line. */
class ConfigErrorsTest {

  private static final String REPLICA = "    replica: {path: /backups/d}\n";

  @Test
  void parse_unknownKeys_warnWithLineAndHints() throws Exception {
    LoadedConfig c = load("""
        addr: ":9090"
        adrr: ":9091"
        dbs:
          - path: /d.db
            max-checkpoint-page-count: 10000
            replica:
              url: s3://b/d
              retention: 24h
              retention-check-interval: 1h
              snapshot-interval: 6h
              sync-intervall: 1s
        """);
    assertEquals(List.of(
        "warning: litestream.yml:2: unknown key 'adrr' (ignored; did you mean 'addr'?)",
        "warning: litestream.yml:5: unknown key 'dbs[0].max-checkpoint-page-count' (ignored; removed in Litestream 0.5)",
        "warning: litestream.yml:8: unknown key 'dbs[0].replica.retention' (ignored; removed in Litestream 0.5;"
            + " see the global snapshot.retention)",
        "warning: litestream.yml:9: unknown key 'dbs[0].replica.retention-check-interval' (ignored; removed in"
            + " Litestream 0.5)",
        "warning: litestream.yml:10: unknown key 'dbs[0].replica.snapshot-interval' (ignored; removed in"
            + " Litestream 0.5; see the global snapshot.interval)",
        "warning: litestream.yml:11: unknown key 'dbs[0].replica.sync-intervall' (ignored; did you mean"
            + " 'sync-interval'?)"), c.warnings());
  }

  @Test
  void parse_stringWhereListExpected_error() {
    assertEquals(List.of("litestream.yml:1: dbs: expected a list, got \"/var/lib/db\""),
        errors("dbs: /var/lib/db\n"));
  }

  @Test
  void parse_listWhereMappingExpected_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].replica: expected a mapping, got a list"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      - url: s3://b/d\n"));
  }

  @Test
  void parse_scalarDbEntry_error() {
    assertEquals(List.of("litestream.yml:2: dbs[0]: expected a mapping with 'path' or 'dir', got \"/d.db\""),
        errors("dbs:\n  - /d.db\n"));
  }

  @Test
  void parse_rootNotMapping_error() {
    assertEquals(List.of("litestream.yml:1: the config must be a mapping of keys (addr, dbs, …), got a list"),
        errors("- a\n- b\n"));
  }

  @Test
  void parse_invalidYaml_errorWithLine() {
    List<String> e = errors("dbs:\n  - path: /d.db\n   replica: x\n");
    assertEquals(1, e.size());
    assertTrue(e.get(0).startsWith("litestream.yml:3: invalid YAML: "), e.get(0));
  }

  @Test
  void parse_badDurationsAndSizes_allCollectedInFileOrder() {
    List<String> e = errors("""
        l0-retention-check-interval: 15
        snapshot:
          interval: 1 day
        dbs:
          - path: /d.db
            monitor-interval: 1 second
            max-sync-wal-bytes: 64 megs
            replica:
              url: s3://b/d
              part-size: big
              sync-interval: 0s
        """);
    assertEquals(List.of(
        "litestream.yml:3: snapshot.interval: invalid duration \"1 day\" (expected e.g. 500ms, 30s, 1m, 1h30m)",
        "litestream.yml:6: dbs[0].monitor-interval: invalid duration \"1 second\" (expected e.g. 500ms, 30s, 1m, 1h30m)",
        "litestream.yml:7: dbs[0].max-sync-wal-bytes: invalid size \"64 megs\" (expected e.g. 5MiB, 5MB, 1GB or a byte count)",
        "litestream.yml:10: dbs[0].replica.part-size: invalid size \"big\" (expected e.g. 5MiB, 5MB, 1GB or a byte count)",
        "litestream.yml:11: dbs[0].replica.sync-interval: must be greater than 0"), e);
  }

  @Test
  void parse_bareNumberDuration_warnsNanoseconds() throws Exception {
    LoadedConfig c = load("l0-retention-check-interval: 15\n");
    assertEquals(Duration.ofNanos(15), c.config().l0RetentionCheckInterval());
    assertEquals(List.of("warning: litestream.yml:1: l0-retention-check-interval: bare number 15 is 15"
        + " nanoseconds; add a unit (e.g. 15s)"), c.warnings());
  }

  @Test
  void parse_badBooleanAndNumber_error() {
    assertEquals(List.of(
        "litestream.yml:1: verify-compaction: invalid boolean \"sometimes\" (expected true or false)",
        "litestream.yml:4: dbs[0].min-checkpoint-page-count: invalid number \"lots\" (expected a whole number)"),
        errors("verify-compaction: sometimes\ndbs:\n  - path: /d.db\n    min-checkpoint-page-count: lots\n" + REPLICA));
  }

  @Test
  void parse_badCumulativeRewriteRatio_errorNamesKeyValueAndRange() {
    String range = " (0 = never rewrite earlier files of a period, .inf = no bound), got ";
    assertEquals(List.of("litestream.yml:3: runnel.cumulative-rewrite-ratio: must be a number from 0 to .inf"
        + range + "-1"), errors("dbs: []\nrunnel:\n  cumulative-rewrite-ratio: -1\n"));
    assertEquals(List.of("litestream.yml:2: runnel.cumulative-rewrite-ratio: must be a number from 0 to .inf"
        + range + ".nan"), errors("runnel:\n  cumulative-rewrite-ratio: .nan\n"));
    assertEquals(List.of(
        "litestream.yml:2: runnel.cumulative-levels: invalid boolean \"mostly\" (expected true or false)",
        "litestream.yml:3: runnel.cumulative-rewrite-ratio: invalid number \"half\" (expected e.g. 1, 0.5 or .inf)"),
        errors("runnel:\n  cumulative-levels: mostly\n  cumulative-rewrite-ratio: half\n"));
    assertEquals(List.of("litestream.yml:1: runnel.cumulative-rewrite-ratio: invalid number \"Infinity\" (expected"
        + " e.g. 1, 0.5 or .inf)"), errors("runnel: {cumulative-rewrite-ratio: Infinity}\n"));
    assertEquals(List.of("litestream.yml:1: runnel: expected a mapping, got \"yes\""), errors("runnel: yes\n"));
  }

  @Test
  void parse_unknownRunnelKey_warnsWithSuggestion() throws Exception {
    LoadedConfig c = load("runnel:\n  cumulative-rewrite-ration: 2\n");
    assertEquals(RunnelConfig.Runnel.DEFAULT, c.config().runnel());
    assertEquals(List.of("warning: litestream.yml:2: unknown key 'runnel.cumulative-rewrite-ration' (ignored; did"
        + " you mean 'cumulative-rewrite-ratio'?)"), c.warnings());
  }

  @Test
  void parse_missingReplica_error() {
    assertEquals(List.of("litestream.yml:2: dbs[0]: no replica configured (add a 'replica:' block, e.g."
        + " replica: {url: s3://BUCKET/PATH})"), errors("dbs:\n  - path: /d.db\n"));
  }

  @Test
  void parse_twoReplicas_error() {
    assertEquals(List.of(
        "litestream.yml:3: dbs[0].replicas: multiple replicas on a single database are no longer supported"
            + " (Litestream 0.5 allows exactly one), got 2"),
        errors("dbs:\n  - path: /d.db\n    replicas:\n      - path: /a\n      - url: s3://b/d\n"));
  }

  @Test
  void parse_replicaAndReplicas_error() {
    assertEquals(List.of("litestream.yml:4: dbs[0]: cannot specify both 'replica' and 'replicas'"),
        errors("dbs:\n  - path: /d.db\n    replica: {path: /a}\n    replicas: [{path: /b}]\n"));
  }

  @Test
  void parse_pathAndDir_error() {
    assertEquals(List.of("litestream.yml:2: dbs[0]: cannot specify both 'path' and 'dir'"),
        errors("dbs:\n  - path: /d.db\n    dir: /data\n    pattern: '*.db'\n" + REPLICA));
  }

  @Test
  void parse_neitherPathNorDir_error() {
    assertEquals(List.of("litestream.yml:2: dbs[0]: must specify either 'path' (one database) or 'dir'"
        + " (a directory of databases)"), errors("dbs:\n  - monitor-interval: 1s\n" + REPLICA));
  }

  @Test
  void parse_dirWithoutPattern_error() {
    assertEquals(List.of("litestream.yml:2: dbs[0]: 'pattern' is required with 'dir' (e.g. pattern: \"*.db\")"),
        errors("dbs:\n  - dir: /data\n" + REPLICA));
  }

  @Test
  void parse_badGlob_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].pattern: invalid glob pattern \"[a-z.db\" (unbalanced '[')"),
        errors("dbs:\n  - dir: /data\n    pattern: '[a-z.db'\n" + REPLICA));
  }

  @Test
  void parse_metaPathAndMetaDir_error() {
    assertEquals(List.of("litestream.yml:5: dbs[0].meta-dir: cannot specify both 'meta-path' and 'meta-dir'"),
        errors("dbs:\n  - dir: /data\n    pattern: '*.db'\n    meta-path: /m\n    meta-dir: /m2\n" + REPLICA));
  }

  @Test
  void parse_metaDirOrWatchWithPath_error() {
    assertEquals(List.of(
        "litestream.yml:3: dbs[0].watch: 'watch' can only be enabled with 'dir'",
        "litestream.yml:4: dbs[0].meta-dir: 'meta-dir' is only valid with 'dir' (use 'meta-path' for one database)"),
        errors("dbs:\n  - path: /d.db\n    watch: true\n    meta-dir: /m\n" + REPLICA));
  }

  @Test
  void parse_nineLevels_error() {
    StringBuilder y = new StringBuilder("levels:\n");
    for (int i = 1; i <= 9; i++) {
      y.append("  - interval: ").append(i).append("m\n");
    }
    assertEquals(List.of("litestream.yml:1: levels: at most 8 compaction levels are allowed (L1..L8; L9 is"
        + " the snapshot level), got 9"), errors(y.toString()));
  }

  @Test
  void parse_badLevelIntervals_error() {
    assertEquals(List.of(
        "litestream.yml:2: levels[0].interval: compaction interval must be greater than 0, got 0s",
        "litestream.yml:3: levels[1].interval: required (e.g. interval: 30s)",
        "litestream.yml:4: levels[2]: expected a mapping such as {interval: 30s}, got \"5m\""),
        errors("levels:\n  - interval: 0s\n  - {}\n  - 5m\n"));
  }

  @Test
  void parse_negativeL0Retention_error() {
    assertEquals(List.of("litestream.yml:1: l0-retention: must not be negative (0 disables L0 deletion), got -5m"),
        errors("l0-retention: -5m\n"));
  }

  @Test
  void parse_nonPositiveGlobalDurations_error() {
    assertEquals(List.of(
        "litestream.yml:1: snapshot.retention: must be greater than 0, got 0s",
        "litestream.yml:2: shutdown-sync-timeout: must be 0 or more, got -1s",
        "litestream.yml:3: shutdown-sync-interval: must be greater than 0, got 0s",
        "litestream.yml:4: heartbeat-interval: must be at least 1m, got 30s",
        "litestream.yml:5: addr: invalid address \"localhost\" (expected host:port, e.g. :9090 or 127.0.0.1:9090)"),
        errors("snapshot: {retention: 0s}\nshutdown-sync-timeout: -1s\nshutdown-sync-interval: 0s\n"
            + "heartbeat-interval: 30s\naddr: localhost\n"));
  }

  @Test
  void parse_ageEncryption_notSupported() {
    assertEquals(List.of("litestream.yml:5: dbs[0].replica.age: age encryption is not currently supported"
        + " (removed in Litestream 0.5; use Litestream 0.3.x if you need it)"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      url: s3://b/d\n      age:\n"
            + "        recipients: [age1xyz]\n"));
  }

  @Test
  void parse_urlInPath_error() {
    assertEquals(List.of("litestream.yml:5: dbs[0].replica.path: replica path cannot be a URL:"
        + " \"s3://bucket/db\" (use the 'url' key instead)"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      type: s3\n      path: s3://bucket/db\n      bucket: b\n"));
  }

  @Test
  void parse_badUrl_error() {
    assertEquals(List.of("litestream.yml:4: dbs[0].replica.url: invalid port \":notaport\" in"
        + " \"s3://bucket:notaport/db\""),
        errors("dbs:\n  - path: /d.db\n    replica:\n      url: s3://bucket:notaport/db\n"));
  }

  @Test
  void parse_unknownUrlScheme_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].replica.url: unsupported replica URL scheme \"ftp\""
        + " (expected one of file, s3, gs, abs, sftp, webdav, nats, oss)"),
        errors("dbs:\n  - path: /d.db\n    replica: {url: 'ftp://host/x'}\n"));
  }

  @Test
  void parse_unknownReplicaType_error() {
    assertEquals(List.of("litestream.yml:4: dbs[0].replica.type: unknown replica type \"dropbox\""
        + " (expected one of file, s3, gs, abs, sftp, webdav, nats, oss)"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      type: dropbox\n      path: /x\n"));
  }

  @Test
  void parse_urlAndPathOrBucket_error() {
    assertEquals(List.of(
        "litestream.yml:5: dbs[0].replica.path: cannot specify both 'url' and 'path' for a s3 replica",
        "litestream.yml:6: dbs[0].replica.bucket: cannot specify both 'url' and 'bucket' for a s3 replica"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      url: s3://b/d\n      path: other\n      bucket: b2\n"));
  }

  @Test
  void parse_s3WithoutBucket_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].replica: bucket required for s3 replica (set 'bucket', or"
        + " use url: s3://BUCKET/PATH)"),
        errors("dbs:\n  - path: /d.db\n    replica:\n      type: s3\n      path: db\n"));
  }

  @Test
  void parse_fileWithoutPath_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].replica: file replica needs a 'path' or a 'url' (e.g."
        + " url: file:///backups/db)"), errors("dbs:\n  - path: /d.db\n    replica:\n      type: file\n"));
  }

  @Test
  void parse_badGlobalDefault_reportedAtGlobalKey() {
    assertEquals(List.of("litestream.yml:1: sync-interval: must be greater than 0"),
        errors("sync-interval: 0s\ndbs:\n  - path: /d.db\n" + REPLICA));
  }

  @Test
  void parse_disagreeingPerDbSnapshots_error() {
    assertEquals(List.of("litestream.yml:7: dbs[1].snapshot.interval: 12h differs from dbs[0].snapshot.interval"
        + " 6h (per-database snapshot settings must agree; set snapshot.interval once at the top level)"),
        errors("dbs:\n  - path: /a.db\n    snapshot: {interval: 6h}\n    replica: {path: /b/a}\n"
            + "  - path: /b.db\n    snapshot:\n      interval: 12h\n    replica: {path: /b/b}\n"));
  }

  @Test
  void parse_badQueryValue_error() {
    assertEquals(List.of("litestream.yml:3: dbs[0].replica.url: invalid boolean forcePathStyle=maybe (expected"
        + " true or false) in \"s3://b/d?forcePathStyle=maybe\""),
        errors("dbs:\n  - path: /d.db\n    replica: {url: 's3://b/d?forcePathStyle=maybe'}\n"));
  }

  @Test
  void parse_badLoggingAndSocket_error() {
    assertEquals(List.of(
        "litestream.yml:3: logging.type: unknown log type \"xml\" (expected text, json or pretty)",
        "litestream.yml:5: socket.permissions: invalid file mode \"rw\" (expected octal such as 0600)"),
        errors("logging:\n  level: info\n  type: xml\nsocket:\n  permissions: rw\n"));
  }

  @Test
  void parse_duplicateKey_warnsLastWins() throws Exception {
    LoadedConfig c = load("addr: ':1'\naddr: ':2'\n");
    assertEquals(java.util.Optional.of(":2"), c.config().addr());
    assertEquals(List.of("warning: litestream.yml:2: duplicate key 'addr' (this one wins over line 1)"),
        c.warnings());
  }

  @Test
  void parse_typeDisagreesWithUrl_urlWinsWithWarning() throws Exception {
    LoadedConfig c = load("dbs:\n  - path: /d.db\n    replica:\n      type: file\n      url: s3://b/d\n");
    assertEquals("s3", c.config().dbs().get(0).replica().type());
    assertEquals(List.of("warning: litestream.yml:4: dbs[0].replica.type: 'file' ignored; the url scheme"
        + " selects 's3'"), c.warnings());
  }

  @Test
  void parse_envValueBreaksYaml_errorPointsAtExpandedText() {
    List<String> e = errors("dbs:\n  - path: $P\n" + REPLICA, java.util.Map.of("P", "a: b: c"));
    assertTrue(e.get(0).startsWith("litestream.yml:2: invalid YAML"), e.get(0));
  }
}
