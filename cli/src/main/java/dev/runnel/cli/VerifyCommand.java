package dev.runnel.cli;

import dev.runnel.config.ReplicaUrl;
import dev.runnel.config.RunnelConfig;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxFileSummary;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code runnel verify}: checks a replica end to end — strict decode of every LTX file (header,
 * checksums, page index, name against header), TxId contiguity within each level, and a test
 * restore of the latest state with {@code PRAGMA integrity_check}. Exit 1 on any problem.
 */
@Command(name = "verify", description = {
    "Check a replica end to end.",
    "",
    "Strictly decodes every LTX file, checks that each level's TxIds are contiguous, and",
    "test-restores the latest state with a full integrity check. Exits 1 on any problem."})
public final class VerifyCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Option(names = {"-json", "--json"}, description = "JSON output.") boolean json;
  @Option(names = {"-skip-restore", "--skip-restore"}, description = "Skip the test restore.") boolean skipRestore;
  @Parameters(arity = "1", paramLabel = "DB_PATH|REPLICA_URL") String target;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DbSpec db;
    if (ReplicaUrl.isUrl(target)) {
      if (config.explicit()) {
        throw new CliException("cannot specify a replica URL and the -config flag", "runnel verify REPLICA_URL");
      }
      db = DbSpec.fromUrl(Path.of("verify.db"), target, RunnelConfig.defaults());
    } else {
      db = DbSpec.resolve(config.load(spec.commandLine().getErr()), Path.of(target));
    }
    List<String> problems = new ArrayList<>();
    int files = 0;
    long bytes = 0;
    TxId restoredTx = null;
    try (MeteredReplicaClient client = new MeteredReplicaClient(db.openReplica())) {
      List<LtxFileInfo> all = new ArrayList<>();
      for (int l = 0; l <= LtxFileInfo.MAX_LEVEL; l++) {
        List<LtxFileInfo> level = client.list(l);
        all.addAll(level);
        if (l < LtxFileInfo.SNAPSHOT_LEVEL) {
          for (int i = 1; i < level.size(); i++) {
            LtxFileInfo prev = level.get(i - 1);
            LtxFileInfo cur = level.get(i);
            if (cur.minTxId().value() != prev.maxTxId().value() + 1) {
              problems.add("level " + l + ": " + (cur.minTxId().compareTo(prev.maxTxId()) <= 0 ? "overlap" : "gap")
                  + " between " + prev.name() + " and " + cur.name());
            }
          }
        } else {
          for (LtxFileInfo f : level) {
            if (!f.minTxId().equals(TxId.ONE)) {
              problems.add("snapshot " + f.name() + " does not start at TxId 1");
            }
          }
        }
      }
      long total = all.stream().mapToLong(LtxFileInfo::size).sum();
      try (Progress bar = Progress.start("verifying", total, true)) {
        for (LtxFileInfo f : all) {
          files++;
          bytes += f.size();
          try (InputStream in = new BufferedInputStream(bar.wrap(client.open(f)), 64 * 1024)) {
            LtxFileSummary s = LtxDecoder.verify(in, f.toString());
            if (!s.header().minTxId().equals(f.minTxId()) || !s.header().maxTxId().equals(f.maxTxId())) {
              problems.add(f + ": header says " + s.header().minTxId() + "-" + s.header().maxTxId());
            }
          } catch (IOException | RuntimeException e) {
            problems.add(f + ": " + Main.message(e));
          }
        }
      }
      if (all.isEmpty()) {
        problems.add("replica " + client.describe() + " holds no LTX files");
      } else if (!skipRestore) {
        Path tmp = Files.createTempDirectory("runnel-verify-");
        try {
          Restorer.Result r = Restorer.restore(client, RestoreTarget.latest(), tmp.resolve("verify.db"),
              Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
          restoredTx = r.txId();
        } catch (IOException | RuntimeException e) {
          problems.add("test restore failed: " + Main.message(e));
        } finally {
          try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("replica", client.describe());
        o.put("ok", problems.isEmpty());
        o.put("files", files);
        o.put("bytes", bytes);
        o.put("restored_txid", restoredTx == null ? null : restoredTx.toString());
        o.put("problems", problems);
        out.println(Json.write(o));
      } else {
        for (String p : problems) {
          out.println("FAIL  " + p);
        }
        out.printf("%s: %d file(s), %d bytes checked%s; %s%n", client.describe(), files, bytes,
            restoredTx == null ? "" : ", latest state (TxId " + restoredTx + ") restores with integrity_check ok",
            problems.isEmpty() ? "OK" : problems.size() + " problem(s)");
      }
    }
    out.flush();
    return problems.isEmpty() ? 0 : 1;
  }
}
