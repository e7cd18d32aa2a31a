package dev.runnel.config;

import static dev.runnel.config.ConfigTestSupport.load;
import static dev.runnel.config.ConfigTestSupport.loader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real-world shapes: Litestream's documented examples and the configs in scenarios.md. */
class ConfigLoaderTest {

  private static S3Replica s3(LoadedConfig c, int db) {
    return assertInstanceOf(S3Replica.class, c.config().dbs().get(db).replica().destination());
  }

  @Test
  void parse_emptyFile_allDefaults() throws Exception {
    LoadedConfig c = load("");
    assertEquals(RunnelConfig.defaults(), c.config());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void parse_singleDbS3Url_defaultsApplied() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /var/lib/app/db.sqlite
            replica:
              url: s3://my-bucket/db
        """);
    DbConfig db = c.config().dbs().get(0);
    assertEquals(Optional.of(Path.of("/var/lib/app/db.sqlite")), db.path());
    assertEquals(Optional.of(Path.of("/var/lib/app/.db.sqlite-litestream")), db.effectiveMetaPath());
    assertEquals(Duration.ofSeconds(1), db.monitorInterval());
    assertEquals(Duration.ofMinutes(1), db.checkpointInterval());
    assertEquals(Duration.ofSeconds(1), db.busyTimeout());
    assertEquals(1000, db.minCheckpointPageCount());
    assertEquals(121359, db.truncatePageN());
    assertEquals(64L << 20, db.maxSyncWalBytes());
    assertFalse(db.restoreIfDbNotExists());
    assertEquals(Duration.ofSeconds(1), db.replica().syncInterval());
    assertEquals(256, db.replica().maxSyncLtxFiles());
    assertEquals(2, db.line());
    assertEquals(3, db.replica().line());
    S3Replica s = s3(c, 0);
    assertEquals(S3Replica.Flavor.S3, s.flavor());
    assertEquals("my-bucket", s.bucket());
    assertEquals("db", s.path());
    assertEquals(Optional.empty(), s.endpoint());
    assertEquals(Optional.empty(), s.effectiveRegion());
    assertFalse(s.forcePathStyle());
    assertTrue(s.signPayload());
    assertTrue(s.requireContentMd5());
    assertEquals(5L << 20, s.partSize());
    assertEquals("default chain", s.credentials().source());
    RunnelConfig g = c.config();
    assertEquals(RunnelConfig.DEFAULT_LEVELS, g.levels());
    assertEquals(RunnelConfig.Snapshot.DEFAULT, g.snapshot());
    assertEquals(Duration.ofMinutes(5), g.l0Retention());
    assertEquals(Duration.ofSeconds(15), g.l0RetentionCheckInterval());
    assertTrue(g.retentionEnabled());
    assertEquals(Duration.ofSeconds(30), g.shutdownSyncTimeout());
    assertEquals(Duration.ofMillis(500), g.shutdownSyncInterval());
  }

  @Test
  void parse_replicaTypeS3Fields_allKeysRead() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /data/app.db
            replica:
              type: s3
              bucket: my-bucket
              path: app/db
              region: us-west-2
              endpoint: https://s3.us-west-2.amazonaws.com
              force-path-style: false
              access-key-id: AKIAEXAMPLE
              secret-access-key: s3cr3t
              sign-payload: false
              require-content-md5: false
              skip-verify: true
              storage-class: STANDARD_IA
              part-size: 10MB
              concurrency: 4
              sse-kms-key-id: arn:aws:kms:us-west-2:1:key/abc
              sync-interval: 10s
              max-sync-ltx-files: 64
              auto-recover: true
        """);
    S3Replica s = s3(c, 0);
    assertEquals("my-bucket", s.bucket());
    assertEquals("app/db", s.path());
    assertEquals(Optional.of("us-west-2"), s.region());
    assertEquals(Optional.of("https://s3.us-west-2.amazonaws.com"), s.endpoint());
    assertFalse(s.forcePathStyle());
    assertEquals(Optional.of("AKIAEXAMPLE"), s.credentials().accessKeyId());
    assertEquals("s3cr3t", s.credentials().secretAccessKey().orElseThrow().reveal());
    assertEquals("config", s.credentials().source());
    assertFalse(s.signPayload());
    assertFalse(s.requireContentMd5());
    assertTrue(s.skipVerify());
    assertEquals(Optional.of("STANDARD_IA"), s.storageClass());
    assertEquals(10_000_000L, s.partSize());
    assertEquals(OptionalInt.of(4), s.concurrency());
    assertEquals(Optional.of("arn:aws:kms:us-west-2:1:key/abc"), s.sse().kmsKeyId());
    ReplicaConfig r = c.config().dbs().get(0).replica();
    assertEquals(Duration.ofSeconds(10), r.syncInterval());
    assertEquals(64, r.maxSyncLtxFiles());
    assertTrue(r.autoRecover());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void parse_endpointWithoutPathStyle_pathStyleDefaultsOn() throws Exception {
    S3Replica s = s3(load("""
        dbs:
          - path: /data/app.db
            replica: {type: s3, bucket: b, path: db, endpoint: minio.local:9000}
        """), 0);
    assertEquals(Optional.of("http://minio.local:9000"), s.endpoint());
    assertTrue(s.forcePathStyle());
    assertEquals(Optional.of("us-east-1"), s.effectiveRegion());
  }

  @Test
  void parse_minioUrlWithQuery_endpointAndPathStyle() throws Exception {
    S3Replica s = s3(load("""
        dbs:
          - path: /data/app.db
            replica:
              url: s3://backups/app?endpoint=localhost:9000&region=us-east-1&skipVerify=true
        """), 0);
    assertEquals("backups", s.bucket());
    assertEquals("app", s.path());
    assertEquals(Optional.of("http://localhost:9000"), s.endpoint());
    assertTrue(s.forcePathStyle());
    assertTrue(s.skipVerify());
  }

  @Test
  void parse_urlForcePathStyleFalse_respected() throws Exception {
    S3Replica s = s3(load("""
        dbs:
          - path: /data/app.db
            replica:
              url: s3://b/p?endpoint=https://s3.example.com&force-path-style=false&requireContentMD5=false&partSize=8MiB&concurrency=3
        """), 0);
    assertFalse(s.forcePathStyle());
    assertFalse(s.requireContentMd5());
    assertEquals(8L << 20, s.partSize());
    assertEquals(OptionalInt.of(3), s.concurrency());
  }

  @Test
  void parse_virtualHostUrl_regionFromHost() throws Exception {
    S3Replica s = s3(load("""
        dbs:
          - path: /data/app.db
            replica:
              url: s3://my-bucket.s3.eu-central-1.amazonaws.com/prod/app
        """), 0);
    assertEquals("my-bucket", s.bucket());
    assertEquals(Optional.of("eu-central-1"), s.region());
    assertEquals("prod/app", s.path());
    assertEquals(Optional.empty(), s.endpoint());
  }

  @Test
  void parse_bucketOnlyUrl_pathIsDot() throws Exception {
    assertEquals(".", s3(load("dbs: [{path: /d.db, replica: {url: 's3://bucket'}}]"), 0).path());
  }

  @Test
  void parse_gcsTemplateWithEnv_expandsAndUsesInteropEndpoint() throws Exception {
    // scenarios.md §1: one database per organisation, replicated to GCS under a templated prefix.
    LoadedConfig c = load("""
        dbs:
          - path: /tmp/org-${ORG_ID}.db
            replica:
              url: gs://${BUCKET}/org-${ORG_ID}/db
        """, Map.of("BUCKET", "acme-tenants", "ORG_ID", "1234",
            "AWS_ACCESS_KEY_ID", "GOOG1EHMAC", "AWS_SECRET_ACCESS_KEY", "hmacsecret"));
    DbConfig db = c.config().dbs().get(0);
    assertEquals(Optional.of(Path.of("/tmp/org-1234.db")), db.path());
    S3Replica s = s3(c, 0);
    assertEquals("gs", db.replica().type());
    assertEquals(S3Replica.Flavor.GCS, s.flavor());
    assertEquals("acme-tenants", s.bucket());
    assertEquals("org-1234/db", s.path());
    assertEquals(Optional.of(S3Replica.GCS_ENDPOINT), s.endpoint());
    assertTrue(s.forcePathStyle());
    assertEquals(Optional.of("GOOG1EHMAC"), s.credentials().accessKeyId());
    assertEquals("env AWS_ACCESS_KEY_ID", s.credentials().source());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void parse_gcsWithoutHmacKeys_warnsAboutInterop() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /tmp/org.db
            replica:
              url: gs://bucket/db
        """, Map.of("GOOGLE_APPLICATION_CREDENTIALS", "/etc/sa.json"));
    assertEquals(1, c.warnings().size());
    String w = c.warnings().get(0);
    assertTrue(w.startsWith("warning: litestream.yml:3: dbs[0].replica: gs replica has no HMAC keys"), w);
  }

  @Test
  void parse_s3CredentialsFromEnvironment_litestreamAliasUsed() throws Exception {
    // scenarios.md §4: production with S3 credentials from the environment.
    LoadedConfig c = load("""
        dbs:
          - path: /pb_data/data.db
            replica:
              url: s3://prod-backups/pocketbase
        """, Map.of("LITESTREAM_ACCESS_KEY_ID", "AKIALS", "LITESTREAM_SECRET_ACCESS_KEY", "lssecret"));
    S3Replica.Credentials cr = s3(c, 0).credentials();
    assertEquals(Optional.of("AKIALS"), cr.accessKeyId());
    assertEquals("lssecret", cr.secretAccessKey().orElseThrow().reveal());
    assertEquals("env LITESTREAM_ACCESS_KEY_ID", cr.source());
  }

  @Test
  void parse_awsEnvSet_awsWinsOverAlias() throws Exception {
    LoadedConfig c = load("dbs: [{path: /d.db, replica: {url: 's3://b/p'}}]",
        Map.of("LITESTREAM_ACCESS_KEY_ID", "LS", "LITESTREAM_SECRET_ACCESS_KEY", "lss",
            "AWS_ACCESS_KEY_ID", "AWS", "AWS_SECRET_ACCESS_KEY", "awss"));
    assertEquals(Optional.of("AWS"), s3(c, 0).credentials().accessKeyId());
  }

  @Test
  void parse_expansionSeesAliasedAwsVariable_likeLitestream() throws Exception {
    LoadedConfig c = load("""
        access-key-id: ${AWS_ACCESS_KEY_ID}
        secret-access-key: ${AWS_SECRET_ACCESS_KEY}
        dbs: [{path: /d.db, replica: {url: 's3://b/p'}}]
        """, Map.of("LITESTREAM_ACCESS_KEY_ID", "LS", "LITESTREAM_SECRET_ACCESS_KEY", "lss"));
    assertEquals("config", s3(c, 0).credentials().source());
    assertEquals(Optional.of("LS"), s3(c, 0).credentials().accessKeyId());
  }

  @Test
  void parse_litestreamS3Endpoint_appliesToUrlReplicasWithoutOne() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /a.db
            replica: {url: 's3://b/a'}
          - path: /b.db
            replica: {url: 's3://b/b?endpoint=https://other.example.com'}
          - path: /c.db
            replica: {type: s3, bucket: b, path: c}
        """, Map.of("LITESTREAM_S3_ENDPOINT", "https://fly.storage.tigris.dev"));
    assertEquals(Optional.of("https://fly.storage.tigris.dev"), s3(c, 0).endpoint());
    assertTrue(s3(c, 0).forcePathStyle());
    assertFalse(s3(c, 0).requireContentMd5()); // Tigris default
    assertEquals(Optional.of("https://other.example.com"), s3(c, 1).endpoint());
    assertEquals(Optional.empty(), s3(c, 2).endpoint());
  }

  @Test
  void parse_globalInlineCredentials_copiedIntoEveryReplica() throws Exception {
    LoadedConfig c = load("""
        access-key-id: AKIAGLOBAL
        secret-access-key: globalsecret
        region: eu-west-1
        sync-interval: 5s
        dbs:
          - path: /a.db
            replica: {url: 's3://bucket/a'}
          - path: /b.db
            replica:
              type: s3
              bucket: bucket
              path: b
              region: us-east-2
              sync-interval: 2s
        """);
    assertEquals(Optional.of("AKIAGLOBAL"), s3(c, 0).credentials().accessKeyId());
    assertEquals(Optional.of("eu-west-1"), s3(c, 0).region());
    assertEquals(Duration.ofSeconds(5), c.config().dbs().get(0).replica().syncInterval());
    assertEquals(Optional.of("AKIAGLOBAL"), s3(c, 1).credentials().accessKeyId());
    assertEquals(Optional.of("us-east-2"), s3(c, 1).region());
    assertEquals(Duration.ofSeconds(2), c.config().dbs().get(1).replica().syncInterval());
  }

  @Test
  void parse_fileReplicaForLocalDev_pathsExpanded() throws Exception {
    // scenarios.md §4: local development with a file replica and no cloud account.
    LoadedConfig c = load("""
        dbs:
          - path: ~/dev/app.db
            replica:
              type: file
              path: ./backups/app
          - path: sqlite3://data/other.db
            meta-path: ~/state/other
            replica:
              url: file:///var/backups/other
        """);
    DbConfig a = c.config().dbs().get(0);
    assertEquals(Optional.of(Path.of("/home/alice/dev/app.db")), a.path());
    assertEquals(new FileReplica(Path.of("/srv/app/backups/app")), a.replica().destination());
    DbConfig b = c.config().dbs().get(1);
    assertEquals(Optional.of(Path.of("/srv/app/data/other.db")), b.path());
    assertEquals(Optional.of(Path.of("/home/alice/state/other")), b.effectiveMetaPath());
    assertEquals(new FileReplica(Path.of("/var/backups/other")), b.replica().destination());
  }

  @Test
  void parse_noTypeNoUrl_fileReplica() throws Exception {
    LoadedConfig c = load("dbs: [{path: /d.db, replica: {path: /backups/d}}]");
    assertEquals(new FileReplica(Path.of("/backups/d")), c.config().dbs().get(0).replica().destination());
  }

  @Test
  void parse_multipleDbs_allKept() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /var/lib/a.db
            replica: {url: 's3://bucket/a'}
          - path: /var/lib/b.db
            monitor-interval: 500ms
            checkpoint-interval: 0
            busy-timeout: 5s
            min-checkpoint-page-count: 2000
            truncate-page-n: 0
            max-sync-wal-bytes: 0
            restore-if-db-not-exists: true
            replica: {url: 'file:///backups/b'}
        """);
    assertEquals(2, c.config().dbs().size());
    DbConfig b = c.config().dbs().get(1);
    assertEquals(Duration.ofMillis(500), b.monitorInterval());
    assertEquals(Duration.ZERO, b.checkpointInterval());
    assertEquals(Duration.ofSeconds(5), b.busyTimeout());
    assertEquals(2000, b.minCheckpointPageCount());
    assertEquals(DbConfig.DEFAULT_TRUNCATE_PAGE_N, b.truncatePageN());
    assertEquals(0, b.maxSyncWalBytes());
    assertTrue(b.restoreIfDbNotExists());
    assertEquals(Optional.of(b), c.config().db(Path.of("/var/lib/b.db")));
  }

  @Test
  void parse_directoryMode_sourceAndPerDatabaseReplica() throws Exception {
    // scenarios.md §3: a fleet of tenant databases under one directory.
    LoadedConfig c = load("""
        dbs:
          - dir: /data
            pattern: "*.db"
            recursive: true
            watch: true
            meta-dir: /var/lib/runnel/meta
            replica:
              url: s3://fleet-backups/backups
        """);
    DbConfig db = c.config().dbs().get(0);
    DbSource.Directory d = assertInstanceOf(DbSource.Directory.class, db.source());
    assertEquals(Path.of("/data"), d.dir());
    assertEquals("*.db", d.pattern());
    assertTrue(d.recursive());
    assertTrue(d.watch());
    assertEquals(Optional.empty(), db.path());
    assertEquals(Optional.of(Path.of("/var/lib/runnel/meta/team-a/.db2.db-litestream")),
        d.metaPathFor("team-a/db2.db"));
    ReplicaConfig r = db.replica().withRelativePath("team-a/db2.db");
    assertEquals(Optional.of("s3://fleet-backups/backups/team-a/db2.db"), r.url());
    assertEquals("backups/team-a/db2.db", ((S3Replica) r.destination()).path());
  }

  @Test
  void withRelativePath_fileAndBucketRootReplicas_joined() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - dir: /data
            pattern: "*.sqlite"
            replica: {type: file, path: /backups}
          - dir: /data2
            pattern: "*.sqlite"
            replica: {url: 's3://bucket'}
        """);
    assertEquals(new FileReplica(Path.of("/backups/x/y.sqlite")),
        c.config().dbs().get(0).replica().withRelativePath("x/y.sqlite").destination());
    assertEquals("y.sqlite",
        ((S3Replica) c.config().dbs().get(1).replica().withRelativePath("y.sqlite").destination()).path());
  }

  @Test
  void parse_deprecatedReplicasList_acceptedWithWarning() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /d.db
            replicas:
              - url: s3://bucket/d
        """);
    assertEquals("bucket", s3(c, 0).bucket());
    assertEquals(List.of("warning: litestream.yml:3: dbs[0].replicas is deprecated; use a single"
        + " 'replica:' block"), c.warnings());
  }

  @Test
  void parse_globalSettings_allRead() throws Exception {
    LoadedConfig c = load("""
        addr: ":9090"
        levels:
          - interval: 10s
          - interval: 1m
        snapshot:
          interval: 1h
          retention: 72h
        l0-retention: 0
        l0-retention-check-interval: 30s
        retention:
          enabled: false
        validation:
          interval: 10m
        verify-compaction: true
        shutdown-sync-timeout: 0s
        shutdown-sync-interval: 1s
        exec: pocketbase serve --http 0.0.0.0:8090
        logging:
          level: debug
          type: json
          stderr: true
        heartbeat-url: https://hc-ping.com/abc
        heartbeat-interval: 2m
        socket:
          enabled: true
          path: /run/runnel.sock
          permissions: 0660
        """);
    RunnelConfig g = c.config();
    assertEquals(Optional.of(":9090"), g.addr());
    assertEquals(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)), g.levels());
    assertEquals(new RunnelConfig.Snapshot(Duration.ofHours(1), Duration.ofHours(72)), g.snapshot());
    assertEquals(Duration.ZERO, g.l0Retention());
    assertEquals(Duration.ofSeconds(30), g.l0RetentionCheckInterval());
    assertFalse(g.retentionEnabled());
    assertEquals(Optional.of(Duration.ofMinutes(10)), g.validationInterval());
    assertTrue(g.verifyCompaction());
    assertEquals(Duration.ZERO, g.shutdownSyncTimeout());
    assertEquals(Duration.ofSeconds(1), g.shutdownSyncInterval());
    assertEquals(Optional.of("pocketbase serve --http 0.0.0.0:8090"), g.exec());
    assertEquals(new RunnelConfig.Logging("debug", "json", true, false), g.logging());
    assertEquals(new RunnelConfig.Heartbeat(Optional.of("https://hc-ping.com/abc"), Duration.ofMinutes(2)),
        g.heartbeat());
    assertEquals(new RunnelConfig.Socket(true, Path.of("/run/runnel.sock"), 0660), g.socket());
    assertEquals(List.of(), c.warnings());
  }

  @ParameterizedTest
  @CsvSource({"1, 1.0", "0, 0.0", "0.5, 0.5", "2e1, 20.0", ".inf, Infinity", "+.Inf, Infinity"})
  void parse_runnelBlock_cumulativeKeysRead(String text, double expected) throws Exception {
    LoadedConfig c = load("runnel:\n  cumulative-levels: false\n  cumulative-rewrite-ratio: " + text + "\n");
    assertEquals(new RunnelConfig.Runnel(false, expected), c.config().runnel());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void parse_noRunnelBlock_compactionDefaultsOfCore() throws Exception {
    RunnelConfig.Runnel r = load("levels:\n  - interval: 10s\n").config().runnel();
    assertEquals(dev.runnel.compact.CompactionConfig.defaults().cumulativeLevels(), r.cumulativeLevels());
    assertEquals(dev.runnel.compact.CompactionConfig.defaults().cumulativeRewriteRatio(), r.cumulativeRewriteRatio());
    assertEquals(new RunnelConfig.Runnel(true, 1.0), load("runnel: {}\n").config().runnel());
  }

  @Test
  void parse_logLevelEnv_overridesFile() throws Exception {
    LoadedConfig c = load("logging: {level: info}", Map.of("LOG_LEVEL", "DEBUG"));
    assertEquals("debug", c.config().logging().level());
  }

  @Test
  void parse_mcpAddr_acceptedWithWarning() throws Exception {
    LoadedConfig c = load("mcp-addr: \":3001\"");
    assertEquals(Optional.of(":3001"), c.config().mcpAddr());
    assertEquals(List.of("warning: litestream.yml:1: mcp-addr is not supported by Runnel (ignored)"),
        c.warnings());
  }

  @Test
  void parse_perDbSnapshot_appliesWhenGlobalUnset() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /a.db
            snapshot: {interval: 6h}
            replica: {path: /b/a}
          - path: /b.db
            snapshot: {interval: 6h, retention: 48h}
            replica: {path: /b/b}
        """);
    assertEquals(new RunnelConfig.Snapshot(Duration.ofHours(6), Duration.ofHours(48)), c.config().snapshot());
    LoadedConfig withGlobal = load("""
        snapshot: {interval: 12h}
        dbs:
          - path: /a.db
            snapshot: {interval: 6h}
            replica: {path: /b/a}
        """);
    assertEquals(Duration.ofHours(12), withGlobal.config().snapshot().interval());
  }

  @Test
  void parse_yamlAnchorsAndMerge_resolved() throws Exception {
    LoadedConfig c = load("""
        x-replica: &r
          type: s3
          bucket: shared
          sync-interval: 3s
        dbs:
          - path: /a.db
            replica:
              <<: *r
              path: a
          - path: /b.db
            replica:
              <<: *r
              path: b
              sync-interval: 9s
        """);
    assertEquals("a", s3(c, 0).path());
    assertEquals("shared", s3(c, 1).bucket());
    assertEquals(Duration.ofSeconds(3), c.config().dbs().get(0).replica().syncInterval());
    assertEquals(Duration.ofSeconds(9), c.config().dbs().get(1).replica().syncInterval());
    assertEquals(List.of("warning: litestream.yml:1: unknown key 'x-replica' (ignored)"), c.warnings());
  }

  @Test
  void parse_unsupportedType_parsesAndFailsOnUse() throws Exception {
    LoadedConfig c = load("""
        dbs:
          - path: /d.db
            replica:
              type: sftp
              host: backup.example.com:22
              user: litestream
              password: hunter2
              path: /backups/d
        """);
    ReplicaDestination d = c.config().dbs().get(0).replica().destination();
    UnsupportedReplica u = assertInstanceOf(UnsupportedReplica.class, d);
    assertEquals("sftp", u.type());
    ConfigException e = assertThrows(ConfigException.class, d::requireSupported);
    assertEquals(List.of("litestream.yml:3: replica type 'sftp' is not supported by Runnel yet"
        + " (supported: file, s3, gs)"), e.problems());
    assertFalse(c.config().describe().contains("hunter2"));
  }

  @Test
  void parse_noExpandEnv_textKeptVerbatim() throws Exception {
    LoadedConfig c = loader(Map.of("BUCKET", "acme")).parse(
        "dbs: [{path: '/d.db', replica: {url: 's3://$BUCKET/p'}}]", "litestream.yml", false);
    assertEquals("$BUCKET", s3(c, 0).bucket());
  }

  @Test
  void parse_pidVariable_expandsToProcessId() throws Exception {
    LoadedConfig c = load("dbs: [{path: '/tmp/app-$PID.db', replica: {path: '/b/${PID}'}}]");
    assertEquals(Optional.of(Path.of("/tmp/app-4242.db")), c.config().dbs().get(0).path());
  }

  @Test
  void parse_defaultSyntaxInVariable_expandsToEmptyLikeGo() throws Exception {
    LoadedConfig c = load("dbs: [{path: '/d.db', replica: {url: 's3://b/${PREFIX:-prod}/db'}}]",
        Map.of("PREFIX", "staging"));
    assertEquals("db", s3(c, 0).path());
  }

  @Test
  void resolvePath_precedence_flagThenEnvThenDefault() {
    assertEquals(Path.of("/x/custom.yml"), loader(Map.of("LITESTREAM_CONFIG", "/env.yml")).resolvePath("/x/custom.yml"));
    assertEquals(Path.of("/env.yml"), loader(Map.of("LITESTREAM_CONFIG", "/env.yml")).resolvePath(null));
    assertEquals(Path.of("/etc/litestream.yml"), loader(Map.of()).resolvePath(""));
    assertEquals(Path.of("/home/alice/ls.yml"), loader(Map.of()).resolvePath("~/ls.yml"));
  }

  @Test
  void load_file_readsAndNamesFileInMessages(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("litestream.yml");
    Files.writeString(f, "dbs:\n  - path: /d.db\n    monitor-interval: soon\n    replica: {path: /b}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader(Map.of()).load(f.toString(), true));
    assertEquals(List.of(f + ":3: dbs[0].monitor-interval: invalid duration \"soon\""
        + " (expected e.g. 500ms, 30s, 1m, 1h30m)"), e.problems());
  }

  @Test
  void load_missingFile_clearError(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> loader(Map.of("LITESTREAM_CONFIG", dir.resolve("nope.yml").toString())).load(null, true));
    assertTrue(e.getMessage().startsWith("config file not found: " + dir.resolve("nope.yml")), e.getMessage());
  }
}
