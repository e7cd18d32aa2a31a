package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of a process that writes and replicates, at random moments, many times over on the same
 * database and replica. After every crash: the replica restores to an intact database holding a
 * prefix of the rows written (a committed state) that includes every acknowledged row; then
 * replication restarts on the crashed database and TxIds continue without gaps.
 *
 * <p>Trials: system property {@code runnel.crash.trials} (default 50).
 */
class CrashTest {
  @TempDir Path tmp;

  @Test
  void killNine_manyTimes_replicaAlwaysRestoresCommittedPrefixWithEveryAcknowledgedRow() throws Exception {
    int trials = Integer.getInteger("runnel.crash.trials", 50);
    long seed = Long.getLong("runnel.crash.seed", System.nanoTime());
    Random rnd = new Random(seed);
    Path db = tmp.resolve("crash.db");
    Path replicaDir = tmp.resolve("replica");
    Path ack = tmp.resolve("ack.txt");
    long maxAcked = 0;
    for (int trial = 0; trial < trials; trial++) {
      String where = "trial " + trial + " seed " + seed;
      Process p = new ProcessBuilder(javaBin(), "--enable-native-access=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), CrashChild.class.getName(), db.toString(), replicaDir.toString(),
          ack.toString(), Long.toString(rnd.nextLong()))
          .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("child.log").toFile())).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String first = out.readLine();
        assertTrue(first != null && first.startsWith("ready"), where + ": child did not start: " + first
            + "\n" + (Files.exists(tmp.resolve("child.log")) ? Files.readString(tmp.resolve("child.log")) : ""));
        Thread.sleep(rnd.nextInt(rnd.nextBoolean() ? 60 : 600));
      } finally {
        p.destroyForcibly(); // SIGKILL on Linux; also on failure, so no child outlives the test
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), where + ": child did not die");
      maxAcked = Math.max(maxAcked, lastAck(ack));

      try (ReplicaClient replica = FileReplicaClient.create(replicaDir)) {
        Path out1 = tmp.resolve("restored-" + trial + ".db");
        if (replica.list(0).isEmpty() && replica.list(9).isEmpty()) {
          // Killed before the first upload finished: legitimate only if nothing was acknowledged.
          assertEquals(0, maxAcked, where + ": replica is empty but rows were acknowledged");
          continue;
        }
        Restorer.restore(replica, RestoreTarget.latest(), out1,
            Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.QUICK));
        long n = checkPrefix(out1, where);
        assertTrue(n >= maxAcked, where + ": restored " + n + " rows but " + maxAcked + " were acknowledged");
        assertEquals(rowsHash(db, n), rowsHash(out1, n), where + ": restored rows differ from the source");
        Files.delete(out1);
        checkContiguous(replica, where);
      }
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static long lastAck(Path ack) throws Exception {
    if (!Files.exists(ack)) {
      return 0;
    }
    long max = 0;
    for (String line : Files.readAllLines(ack)) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2) { // a torn last line (killed mid-write) was never acknowledged
        max = Math.max(max, Long.parseLong(parts[0]));
      }
    }
    return max;
  }

  /** Rows must be exactly ids 1..n: a committed state of a writer that only appends. */
  private static long checkPrefix(Path db, String where) throws Exception {
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

  private static String rowsHash(Path db, long n) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        PreparedStatement ps = c.prepareStatement("SELECT id, payload FROM rows WHERE id <= ? ORDER BY id")) {
      ps.setLong(1, n);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          md.update(Long.toString(rs.getLong(1)).getBytes());
          md.update(rs.getBytes(2));
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void checkContiguous(ReplicaClient replica, String where) throws Exception {
    List<LtxFileInfo> l0 = replica.list(0);
    TxId prev = TxId.ZERO;
    for (LtxFileInfo f : l0) {
      assertEquals(prev.next(), f.minTxId(), where + ": L0 gap or overlap before " + f);
      prev = f.maxTxId();
    }
  }
}
