package dev.runnel.config;

import static dev.runnel.config.ConfigTestSupport.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfigRendererTest {

  @Test
  void describe_s3Replica_secretsMaskedDefaultsShown() throws Exception {
    RunnelConfig c = load("""
        access-key-id: AKIAEXAMPLE
        secret-access-key: topsecret
        dbs:
          - path: /var/lib/app.db
            replica:
              url: s3://bucket/app?endpoint=localhost:9000
              sse-customer-key: c3NlLWtleQ==
        """).config();
    String text = c.describe();
    assertFalse(text.contains("topsecret"), text);
    assertFalse(text.contains("c3NlLWtleQ=="), text);
    assertEquals("""
          - path: /var/lib/app.db
            meta-path: /var/lib/.app.db-litestream
            monitor-interval: 1s
            checkpoint-interval: 1m
            busy-timeout: 1s
            min-checkpoint-page-count: 1000
            truncate-page-n: 121359
            max-sync-wal-bytes: 64MiB
            restore-if-db-not-exists: false
            replica: s3 s3://bucket/app?endpoint=localhost:9000
              bucket: bucket
              path: app
              region: us-east-1 (default)
              endpoint: http://localhost:9000
              force-path-style: true
              credentials: AKIAEXAMPLE / **** (config)
              sign-payload: true
              require-content-md5: true
              part-size: 5MiB
              concurrency: (default)
              sse: customer AES256, key ****
              sync-interval: 1s
              max-sync-ltx-files: 256
              auto-recover: false
        """, ConfigRenderer.render(c.dbs().get(0)));
  }

  @Test
  void describe_emptyConfig_globalDefaults() throws Exception {
    String text = load("").config().describe();
    assertTrue(text.startsWith("""
        addr: (off)
        levels: [30s, 5m, 1h]
        snapshot: interval 24h, retention 24h
        l0-retention: 5m
        l0-retention-check-interval: 15s
        retention.enabled: true
        validation.interval: (off)
        verify-compaction: false
        shutdown-sync: timeout 30s, interval 500ms
        """), text);
    assertTrue(text.endsWith("""
        runnel.cumulative-levels: true
        runnel.cumulative-rewrite-ratio: 1
        dbs: (none)
        """), text);
  }

  @Test
  void describe_runnelBlock_ratioAsWritten() throws Exception {
    assertTrue(load("runnel: {cumulative-rewrite-ratio: .inf}\n").config().describe()
        .contains("runnel.cumulative-rewrite-ratio: .inf (no bound)\n"));
    assertTrue(load("runnel: {cumulative-rewrite-ratio: 0.25}\n").config().describe()
        .contains("runnel.cumulative-rewrite-ratio: 0.25\n"));
    assertTrue(load("runnel: {cumulative-levels: false}\n").config().describe()
        .contains("runnel.cumulative-levels: false\nrunnel.cumulative-rewrite-ratio: (unused: cumulative-levels"
            + " is false)\n"));
  }

  @Test
  void secret_toString_masked() {
    assertEquals("****", new Secret("x").toString());
    assertFalse(new S3Replica.Credentials(java.util.Optional.of("id"),
        java.util.Optional.of(new Secret("pw")), "config").toString().contains("pw"));
  }
}
