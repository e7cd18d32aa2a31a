package dev.runnel.cli;

import dev.runnel.config.RunnelConfig;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationRuntime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runnel snapshot DB_PATH}: sync, then write a full level-9 snapshot to the replica now. */
@Command(name = "snapshot", description = {
    "Write a full level-9 snapshot of a database to its replica now.",
    "",
    "Syncs first. Refuses while 'runnel replicate' runs for the same database."})
public final class SnapshotCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Parameters(arity = "1", paramLabel = "DB_PATH") Path dbPath;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RunnelConfig cfg = config.load(spec.commandLine().getErr());
    DbSpec db = DbSpec.resolve(cfg, dbPath);
    if (!Files.exists(db.path())) {
      throw new CliException("database does not exist: " + db.path(), "runnel restore " + db.path());
    }
    try (MetaLock lock = MetaLock.acquire(db.path(), db.metaPath());
        ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        MeteredReplicaClient client = new MeteredReplicaClient(db.openReplica())) {
      LtxFileInfo snap;
      try (Progress bar = Progress.start("snapshot " + db.path().getFileName(), Files.size(db.path()), true);
          ReplicatedDatabase rdb = ReplicatedDatabase.open(db.path(), client, db.options(), runtime)) {
        client.onWrite(bar::add);
        rdb.sync();
        snap = rdb.snapshot();
      }
      out.printf("snapshot %s: %s (%d bytes) in %s%n", db.path(), snap, snap.size(), client.describe());
    }
    out.flush();
    return 0;
  }
}
