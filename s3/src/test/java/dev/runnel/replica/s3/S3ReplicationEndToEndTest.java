package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.s3.FaultProxy.Fault;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replication engine through a real S3 server (S3Proxy on loopback), with and without faults. */
class S3ReplicationEndToEndTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
  @TempDir Path tmp;



  private Path newDb() throws Exception {
    Path db = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    return db;
  }

  /** Row count and a checksum of all values: enough to tell committed states apart here. */
  private static String content(Connection c) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(SUM(length(v)), 0), "
            + "COALESCE(SUM(unicode(hex(v)) * id), 0), COALESCE(group_concat(substr(hex(v), 1, 8)), '') FROM t")) {
      rs.next();
      return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getString(4).hashCode();
    }
  }

  private static String content(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
      return content(c);
    }
  }

  private static void verifyEveryObject(S3ReplicaClient client) throws Exception {
    for (int level = 0; level <= 9; level++) {
      for (LtxFileInfo f : client.list(level)) {
        try (InputStream in = client.open(f)) {
          LtxDecoder.verify(in, f.toString());
        }
      }
    }
  }

  @Test
  void replicate_thenRestoreEveryTxId_throughS3() throws Exception {
    Path dbPath = newDb();
    String bucket = S3.server().newBucket();
    Map<TxId, String> states = new LinkedHashMap<>();
    Random rnd = new Random(7);
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        S3ReplicaClient client = S3ReplicaClient.create(S3.server().config(bucket, "tenants/acme").build())) {
      try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, client, ReplicationOptions.defaults(), runtime);
          Connection c = db.connect();
          Statement st = c.createStatement()) {
        for (int i = 0; i < 12; i++) {
          st.execute("INSERT INTO t (v) VALUES (randomblob(" + (100 + rnd.nextInt(20000)) + "))");
          if (i % 4 == 3) {
            st.execute("DELETE FROM t WHERE id % 3 = 0");
          }
          states.put(db.sync(), content(c));
        }
        db.snapshot();
      }
      verifyEveryObject(client);
      for (Map.Entry<TxId, String> e : states.entrySet()) {
        Path out = tmp.resolve("r-" + e.getKey() + ".db");
        Restorer.restore(client, RestoreTarget.atTxId(e.getKey()), out,
            Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.QUICK));
        assertEquals(e.getValue(), content(out), "state at " + e.getKey());
      }
      Path latest = tmp.resolve("latest.db");
      Restorer.restore(client, RestoreTarget.latest(), latest, Restorer.Options.defaults());
      assertEquals(content(dbPath), content(latest));
    }
  }

  @Test
  void storeFaults_writesContinue_replicationCatchesUp_noPartialObjects() throws Exception {
    Path dbPath = newDb();
    String bucket = S3.server().newBucket();
    AtomicInteger puts = new AtomicInteger();
    try (FaultProxy proxy = FaultProxy.start(S3.server().endpoint()).serializeWrites(true);
        ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        S3ReplicaClient client = S3ReplicaClient.create(S3TestServer.config(proxy.endpoint(), bucket, "db")
            .maxAttempts(2).build());
        S3ReplicaClient direct = S3ReplicaClient.create(S3.server().config(bucket, "db").build())) {
      ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20))
          .withUploadRetryMax(Duration.ofMillis(300));
      try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, client, opts, runtime);
          Connection c = db.connect();
          Statement st = c.createStatement()) {
        db.sync();
        // Every other upload is cut mid-body, the rest get 503 SlowDown: nothing lands for a while.
        proxy.rule(r -> !r.isUpload() ? Fault.PASS
            : puts.getAndIncrement() % 2 == 0 ? Fault.resetMidUpload(0.5) : Fault.error(503, "SlowDown"));
        long t0 = System.nanoTime();
        for (int i = 0; i < 50; i++) {
          st.execute("INSERT INTO t (v) VALUES (randomblob(" + (500 + i * 100) + "))");
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "writes must not wait for the store");
        Thread.sleep(300);
        verifyEveryObject(direct); // no partial object is ever visible as an LTX file
        proxy.rule(null);
        TxId t = db.sync(Duration.ofSeconds(20));
        assertTrue(t.compareTo(TxId.ONE) > 0);
        assertTrue(proxy.faultCount() > 0, "faults should have been injected");
      }
      verifyEveryObject(direct);
      Path out = tmp.resolve("after-faults.db");
      Restorer.restore(direct, RestoreTarget.latest(), out,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      assertEquals(content(dbPath), content(out));
    }
  }
}
