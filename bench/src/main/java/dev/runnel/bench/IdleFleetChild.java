package dev.runnel.bench;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.replicate.ReplicationStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sqlite.SQLiteConfig;

/**
 * The child JVM of {@link IdleCostBench}: N idle databases replicated by one process, so that the
 * parent can read an honest RSS, thread and descriptor count of a fresh JVM per size from /proc.
 *
 * <p>Copies a small template database N times into {@code DIR} (one file replica directory each),
 * opens all of them on one {@link ReplicationRuntime#createDefault()} with
 * {@link ReplicationOptions#defaults()}, waits until all are replicated and prints
 * {@code READY <seconds to open> <seconds until replicated>}. Then it answers commands on stdin,
 * one line each, so that its own CPU stays out of the parent's way:
 * <ul>
 *   <li>{@code SAMPLE} → {@code SAMPLE <L0 syncs> <uploads>} summed over its databases;</li>
 *   <li>{@code HEAP} → {@code HEAP <bytes>}: used heap after two {@code System.gc()};</li>
 *   <li>{@code QUIT} → closes every database (final sync) and prints {@code CLOSED <seconds>}.</li>
 * </ul>
 * N = 0 is the bare JVM (harness and sqlite-jdbc loaded, nothing open): the baseline the parent
 * subtracts to get costs per database.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.IdleFleetChild N DIR
 * </pre>
 */
public final class IdleFleetChild {
  private IdleFleetChild() {}

  public static void main(String[] argv) throws Exception {
    int n = Integer.parseInt(argv[0]);
    Path dir = Path.of(argv[1]);
    Files.createDirectories(dir);
    Path template = dir.resolve("template.db");
    createTemplate(template);
    List<ReplicatedDatabase> open = new ArrayList<>();
    ReplicationRuntime rt = ReplicationRuntime.createDefault();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Path db = dir.resolve("db-" + i + ".db");
      Files.copy(template, db);
      open.add(ReplicatedDatabase.open(db, FileReplicaClient.create(dir.resolve("replica-" + i)),
          ReplicationOptions.defaults(), rt));
    }
    double openS = (System.nanoTime() - t0) / 1e9;
    for (ReplicatedDatabase d : open) {
      if (!d.awaitReplicated(d.localTxId(), Duration.ofSeconds(300))) {
        throw new IllegalStateException(d.path() + " not replicated within 300 s");
      }
    }
    double replicatedS = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "READY %.3f %.3f%n", openS, replicatedS);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String cmd;
    while ((cmd = in.readLine()) != null) {
      switch (cmd.trim()) {
        case "SAMPLE" -> {
          long syncs = 0;
          long uploads = 0;
          for (ReplicatedDatabase d : open) {
            ReplicationStatus s = d.status();
            syncs += s.syncCount();
            uploads += s.uploadCount();
          }
          System.out.println("SAMPLE " + syncs + " " + uploads);
        }
        case "HEAP" -> {
          Harness.heapUsedAfterGc();
          Harness.sleepMs(100);
          System.out.println("HEAP " + Harness.heapUsedAfterGc());
        }
        case "QUIT" -> {
          long tc = System.nanoTime();
          for (ReplicatedDatabase d : open) {
            d.close();
          }
          rt.close();
          System.out.printf(Locale.ROOT, "CLOSED %.3f%n", (System.nanoTime() - tc) / 1e9);
          System.out.flush();
          return;
        }
        default -> System.out.println("ERROR unknown command " + cmd);
      }
      System.out.flush();
    }
    // The parent went away without QUIT: still close cleanly so nothing is left half-written.
    for (ReplicatedDatabase d : open) {
      d.close();
    }
    rt.close();
  }

  /** A small idle database: one table, 10 rows, WAL mode, checkpointed (no -wal file left). */
  static void createTemplate(Path db) throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      for (int k = 0; k < 10; k++) {
        st.execute("INSERT INTO t (v) VALUES ('row " + k + " of a small idle database')");
      }
    }
  }
}
