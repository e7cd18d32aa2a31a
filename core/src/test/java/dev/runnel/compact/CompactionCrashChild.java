package dev.runnel.compact;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The process {@link CompactionCrashTest} kills: appends rows 1, 2, 3, ... through a Runnel
 * connection with compaction, snapshots and retention running every few tens of milliseconds, and
 * after each {@code sync()} appends the highest acknowledged id to an ack file (fsynced).
 *
 * <p>Args: database, replica directory, ack file, seed.
 */
public final class CompactionCrashChild {
  static final CompactionConfig CONFIG = CompactionConfig.defaults()
      .withLevels(List.of(Duration.ofMillis(40), Duration.ofMillis(150), Duration.ofMillis(500)))
      .withSnapshot(Duration.ofMillis(700), Duration.ofMillis(1500))
      .withL0Retention(Duration.ofMillis(60), Duration.ofMillis(30))
      .withVerifyCompaction(true);

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
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20))
        .withMinCheckpointPageCount(30 + rnd.nextInt(100));
    ReplicationRuntime runtime = ReplicationRuntime.createDefault();
    ReplicatedDatabase rdb = ReplicatedDatabase.open(db, FileReplicaClient.create(replicaDir), opts, runtime);
    CompactionService svc = CompactionService.start(CONFIG, Clock.systemUTC(), 2, Duration.ofMillis(10));
    svc.attach(rdb);
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
          int batch = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(30) : 1;
          c.setAutoCommit(batch == 1);
          for (int i = 0; i < batch; i++) {
            ins.setLong(1, next++);
            byte[] p = new byte[rnd.nextInt(20) == 0 ? 4000 + rnd.nextInt(20000) : rnd.nextInt(300)];
            rnd.nextBytes(p);
            ins.setBytes(2, p);
            ins.executeUpdate();
          }
          if (batch > 1) {
            c.commit();
          }
          c.setAutoCommit(true);
          if (rnd.nextInt(6) == 0) {
            TxId t = rdb.sync();
            ackOut.write(ByteBuffer.wrap(((next - 1) + " " + t + "\n").getBytes(StandardCharsets.US_ASCII)));
            ackOut.force(true);
          }
          Thread.sleep(rnd.nextInt(3));
        }
      }
    }
  }
}
