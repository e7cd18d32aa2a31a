package dev.runnel.replicate;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;

/**
 * The process {@link CrashTest} kills: writes rows with ids 1, 2, 3, ... through a Runnel
 * connection and, after each {@code sync()} returns, appends the highest acknowledged id to an ack
 * file (fsynced). Runs until killed.
 *
 * <p>Args: database, replica directory, ack file, seed.
 */
public final class CrashChild {
  public static void main(String[] args) throws Exception {
    // Die with the test JVM: its end of our stdin closes when it exits, however it exits.
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; wait for EOF
        }
      } catch (java.io.IOException ignored) {
        // treat like EOF
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Path db = Path.of(args[0]);
    Path replicaDir = Path.of(args[1]);
    Path ack = Path.of(args[2]);
    Random rnd = new Random(Long.parseLong(args[3]));
    if (!Files.exists(db)) {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = wal");
        st.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB)");
      }
    }
    ReplicationOptions opts = ReplicationOptions.defaults()
        .withMonitorInterval(Duration.ofMillis(20))
        .withMinCheckpointPageCount(30 + rnd.nextInt(100));
    ReplicationRuntime runtime = ReplicationRuntime.createDefault();
    ReplicatedDatabase rdb = ReplicatedDatabase.open(db, FileReplicaClient.create(replicaDir), opts, runtime);
    try (FileChannel ackOut = FileChannel.open(ack, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
        Connection c = rdb.connect()) {
      long next;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM rows")) {
        rs.next();
        next = rs.getLong(1);
      }
      System.out.println("ready " + next);
      System.out.flush();
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO rows (id, payload) VALUES (?, ?)")) {
        while (true) {
          int batch = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(40) : 1;
          c.setAutoCommit(batch == 1);
          for (int i = 0; i < batch; i++) {
            ins.setLong(1, next++);
            ins.setBytes(2, payload(rnd));
            ins.executeUpdate();
          }
          if (batch > 1) {
            c.commit();
          }
          c.setAutoCommit(true);
          if (rnd.nextInt(8) == 0) {
            TxId t = rdb.sync();
            long acked = next - 1;
            ackOut.write(ByteBuffer.wrap((acked + " " + t + "\n").getBytes(StandardCharsets.US_ASCII)));
            ackOut.force(true);
          }
          if (rnd.nextInt(4) == 0) {
            Thread.sleep(1);
          }
        }
      }
    }
  }

  static byte[] payload(Random rnd) {
    int n = rnd.nextInt(20) == 0 ? 5000 + rnd.nextInt(30000) : rnd.nextInt(400);
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
