package dev.runnel.cli;

import dev.runnel.verify.ReplicaVerifier;
import dev.runnel.verify.VerifyProblem;
import dev.runnel.verify.VerifyResult;

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
  @Option(names = {"-all-snapshots", "--all-snapshots"},
      description = "Also test-restore every snapshot on its own.") boolean everySnapshot;
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
    VerifyResult result;
    try (MeteredReplicaClient client = new MeteredReplicaClient(db.openReplica())) {
      result = ReplicaVerifier.verify(client, ReplicaVerifier.Options.defaults()
          .withRestoreLatest(!skipRestore).withRestoreEverySnapshot(everySnapshot));
    }
    VerifyResult.Summary sum = result.summary();
    if (json) {
      Map<String, Object> o = Json.object();
      o.put("replica", result.replica());
      o.put("ok", result.ok());
      o.put("files", sum.files());
      o.put("files_per_level", sum.filesPerLevel());
      o.put("bytes", sum.bytes());
      o.put("files_bad", sum.filesBad());
      o.put("restored_txid", sum.restoredTxId().map(TxId::toString).orElse(null));
      o.put("snapshots_restored", sum.snapshotsRestored());
      List<Object> ps = new ArrayList<>();
      for (VerifyProblem p : result.problems()) {
        Map<String, Object> po = Json.object();
        po.put("severity", p.severity().name().toLowerCase(java.util.Locale.ROOT));
        po.put("kind", p.kind().name().toLowerCase(java.util.Locale.ROOT));
        po.put("level", p.level());
        po.put("file", p.file());
        po.put("expected", p.expected());
        po.put("actual", p.actual());
        po.put("message", p.message());
        ps.add(po);
      }
      o.put("problems", ps);
      out.println(Json.write(o));
    } else {
      for (VerifyProblem p : result.problems()) {
        out.println((p.severity() == VerifyProblem.Severity.ERROR ? "FAIL  " : "WARN  ") + p.message());
      }
      out.printf("%s: %d file(s), %d bytes checked%s; %s%n", result.replica(), sum.files(), sum.bytes(),
          sum.restoredTxId().map(t -> ", latest state (TxId " + t + ") restores with integrity_check ok").orElse(""),
          result.ok() ? (sum.warnings() == 0 ? "OK" : "OK with " + sum.warnings() + " warning(s)")
              : sum.errors() + " problem(s)");
    }
    out.flush();
    return result.ok() ? 0 : 1;
  }
}
