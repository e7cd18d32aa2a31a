package dev.runnel.cli;

import dev.runnel.ltx.LtxFileSummary;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runnel demo}: the whole loop on a small database in a scratch directory — write through
 * a replicated connection, sync, snapshot, list and strictly verify every LTX file in the replica,
 * restore latest and an earlier TxId with an integrity check, and compare with the source.
 */
@Command(name = "demo", description = {
    "Replicate, restore and verify a small demo database.",
    "",
    "Creates a small database, replicates it to a local file replica, restores it and verifies",
    "every LTX file. Everything happens in a scratch directory (printed first)."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = {"-dir", "--dir"}, description = "Directory to use (default: a new temp directory).") Path dir;
  @Option(names = {"-rows", "--rows"}, defaultValue = "2000", description = "Rows to write (default ${DEFAULT-VALUE}).")
  int rows;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("runnel-demo-");
    Path db = work.resolve("app.db");
    Path replicaDir = work.resolve("replica");
    if (Files.exists(db) || Files.exists(replicaDir)) {
      throw new IllegalStateException(work + " already holds a demo; pass an empty -dir");
    }
    out.printf("Runnel demo in %s%n%n", work);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, note BLOB)");
      st.execute("CREATE INDEX contacts_email ON contacts (email)");
    }
    List<TxId> synced = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    Random rnd = new Random(42);
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        FileReplicaClient replica = FileReplicaClient.create(replicaDir)) {
      try (ReplicatedDatabase rdb = ReplicatedDatabase.open(db, replica, ReplicationOptions.defaults(), runtime);
          Connection c = rdb.connect()) {
        int batches = 4;
        for (int b = 0; b < batches; b++) {
          c.setAutoCommit(false);
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO contacts (name, email, note) VALUES (?, ?, ?)")) {
            for (int i = 0; i < rows / batches; i++) {
              int id = b * (rows / batches) + i;
              ps.setString(1, "Contact " + id);
              ps.setString(2, "contact" + id + "@example.com");
              byte[] note = new byte[rnd.nextInt(200)];
              rnd.nextBytes(note);
              ps.setBytes(3, note);
              ps.executeUpdate();
            }
          }
          c.commit();
          c.setAutoCommit(true);
          if (b == 2) {
            try (Statement st = c.createStatement()) {
              st.execute("UPDATE contacts SET email = upper(email) WHERE id % 7 = 0");
            }
          }
          TxId t = rdb.sync();
          synced.add(t);
          counts.add(count(c));
          out.printf("wrote batch %d (%d rows total), replicated through TxId %s%n", b + 1, counts.get(b), t);
        }
        LtxFileInfo snap = rdb.snapshot();
        out.printf("snapshot: %s (%d bytes)%n%n", snap, snap.size());
      }
      out.printf("Replica %s:%n", replica.describe());
      int files = 0;
      for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
        for (LtxFileInfo f : replica.list(level)) {
          LtxFileSummary s = LtxCommand.verify(replica.filePath(f.level(), f.minTxId(), f.maxTxId()));
          out.printf("  L%d %s  %7d bytes  %4d pages  commit %4d  verified%n", level, f.name(), f.size(),
              s.pageCount(), s.header().commit());
          files++;
        }
      }
      out.println();
      Path latest = work.resolve("restored-latest.db");
      Restorer.Result r = Restorer.restore(replica, RestoreTarget.latest(), latest,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      check(out, "latest", r, latest, counts.get(counts.size() - 1), db);
      Path early = work.resolve("restored-" + synced.get(0) + ".db");
      Restorer.Result r0 = Restorer.restore(replica, RestoreTarget.atTxId(synced.get(0)), early,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      check(out, "TxId " + synced.get(0), r0, early, counts.get(0), null);
      out.printf("%nOK: %d LTX files verified; restores match the source. Files are in %s%n", files, work);
    }
    out.flush();
    return 0;
  }

  private static long count(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM contacts")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void check(PrintWriter out, String what, Restorer.Result r, Path restored, long expectedRows,
      Path source) throws Exception {
    long n;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + restored)) {
      n = count(c);
      if (source != null) {
        try (Statement st = c.createStatement()) {
          st.execute("ATTACH DATABASE '" + source.toString().replace("'", "''") + "' AS src");
          try (ResultSet rs = st.executeQuery(
              "SELECT COUNT(*) FROM (SELECT * FROM contacts EXCEPT SELECT * FROM src.contacts)")) {
            rs.next();
            if (rs.getLong(1) != 0) {
              throw new IllegalStateException("restored " + what + " differs from the source in " + rs.getLong(1) + " rows");
            }
          }
        }
      }
    }
    if (n != expectedRows) {
      throw new IllegalStateException("restored " + what + " has " + n + " rows, expected " + expectedRows);
    }
    out.printf("restore %-22s -> %s: TxId %s, %d files, %d pages, %d rows, integrity ok (%d ms)%n", what,
        restored.getFileName(), r.txId(), r.files().size(), r.pageCount(), n, r.elapsed().toMillis());
  }
}
