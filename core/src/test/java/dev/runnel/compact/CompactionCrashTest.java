package dev.runnel.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import dev.runnel.verify.ReplicaVerifier;
import dev.runnel.verify.VerifyResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of a process whose compaction, snapshots and retention run every few tens of
 * milliseconds, so kills land inside compactions and deletes. After every kill the replica must
 * restore to a committed prefix holding every acknowledged row and verify without errors; the
 * next run (same database, replica and meta directory) carries on from whatever was left.
 *
 * <p>Trials: system property {@code runnel.compact.crash.trials} (default 12).
 */
class CompactionCrashTest {
  @TempDir Path tmp;

  @Test
  void killNine_duringCompactionAndRetention_replicaRestoresAckedPrefixAndVerifiesClean() throws Exception {
    int trials = Integer.getInteger("runnel.compact.crash.trials", 12);
    long seed = Long.getLong("runnel.compact.crash.seed", System.nanoTime());
    Random rnd = new Random(seed);
    Path db = tmp.resolve("crash.db");
    Path replicaDir = tmp.resolve("replica");
    Path ack = tmp.resolve("ack.txt");
    long maxAcked = 0;
    for (int trial = 0; trial < trials; trial++) {
      String where = "trial " + trial + " seed " + seed;
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
          CompactionCrashChild.class.getName(), db.toString(), replicaDir.toString(), ack.toString(),
          Long.toString(rnd.nextLong()))
          .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("child.log").toFile())).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String first = out.readLine();
        assertTrue(first != null && first.startsWith("ready"), where + ": child did not start: " + first + "\n"
            + (Files.exists(tmp.resolve("child.log")) ? Files.readString(tmp.resolve("child.log")) : ""));
        Thread.sleep(200 + rnd.nextInt(1500));
      } finally {
        p.destroyForcibly(); // also on failure, so no child outlives the test
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), where + ": child did not die");
      maxAcked = Math.max(maxAcked, lastAck(ack));

      try (FileReplicaClient replica = FileReplicaClient.create(replicaDir)) {
        Path restored = tmp.resolve("restored-" + trial + ".db");
        Restorer.restore(replica, RestoreTarget.latest(), restored,
            Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.QUICK));
        long n = prefix(restored, where);
        assertTrue(n >= maxAcked, where + ": restored " + n + " rows but " + maxAcked + " were acknowledged");
        Files.delete(restored);
        VerifyResult v = ReplicaVerifier.verify(replica, ReplicaVerifier.Options.defaults()
            .withTempDir(tmp.resolve("verify")));
        assertTrue(v.ok(), where + ": " + v.problems());
      }
    }
    // Compaction really ran and retention really deleted: levels exist, L0 is short.
    try (FileReplicaClient replica = FileReplicaClient.create(replicaDir)) {
      assertTrue(!replica.list(3).isEmpty() && !replica.list(9).isEmpty(), "levels 3 and 9 written");
    }
  }

  private static long lastAck(Path ack) throws Exception {
    if (!Files.exists(ack)) {
      return 0;
    }
    long max = 0;
    for (String line : Files.readAllLines(ack)) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2) {
        max = Math.max(max, Long.parseLong(parts[0]));
      }
    }
    return max;
  }

  private static long prefix(Path db, String where) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM rows")) {
      rs.next();
      long count = rs.getLong(1);
      assertEquals(1, rs.getLong(2), where + ": first row");
      assertEquals(count, rs.getLong(3), where + ": rows are not a prefix");
      return count;
    }
  }
}
