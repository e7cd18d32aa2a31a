package dev.runnel.cli;

import dev.runnel.config.GoDuration;
import dev.runnel.config.RunnelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code runnel replicate}: the daemon. Replicates every configured database (or one given as
 * {@code DB_PATH REPLICA_URL}) until SIGINT/SIGTERM, then syncs and uploads one last time. With
 * {@code -exec} the application runs as a child: signals are forwarded to it and runnel stops when
 * it exits. {@code -once} syncs everything once and exits.
 */
@Command(name = "replicate", description = {
    "Replicate databases until SIGINT/SIGTERM.",
    "",
    "A final sync and upload runs on the way out; a second signal skips the upload retries.",
    "Databases come from the config file, or from DB_PATH REPLICA_URL. With -exec, the command",
    "runs as a child process and runnel exits when it exits."})
public final class ReplicateCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(ReplicateCommand.class.getName());

  @Mixin ConfigOptions config;
  @Option(names = {"-exec", "--exec"}, paramLabel = "CMD", description = "Run CMD as a child process (split shell-style).")
  String exec;
  @Option(names = {"-restore-if-db-not-exists", "--restore-if-db-not-exists"},
      description = "Restore missing databases from their replicas before replicating.")
  boolean restoreIfMissing;
  @Option(names = {"-once", "--once"}, description = "Sync every database once, then exit.")
  boolean once;
  @Option(names = {"-force-snapshot", "--force-snapshot"}, description = "With -once: also write a level-9 snapshot.")
  boolean forceSnapshot;
  @Option(names = {"-enforce-retention", "--enforce-retention"},
      description = "With -once: apply retention (not implemented by runnel yet; ignored with a warning).")
  boolean enforceRetention;
  @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "trace, debug, info, warn or error.")
  String logLevel;
  @Option(names = {"-health-max-lag", "--health-max-lag"}, paramLabel = "DURATION", defaultValue = "5m",
      description = "/healthz fails when unreplicated changes are older than this (default ${DEFAULT-VALUE}).")
  String healthMaxLag;
  @Option(names = {"-health-error-window", "--health-error-window"}, paramLabel = "DURATION", defaultValue = "1m",
      description = "/healthz fails when syncs or uploads keep failing this long (default ${DEFAULT-VALUE}).")
  String healthErrorWindow;
  @Parameters(arity = "0..*", paramLabel = "DB_PATH REPLICA_URL") List<String> args = new ArrayList<>();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!args.isEmpty() && config.explicit()) {
      throw new CliException("cannot specify a replica URL and the -config flag",
          "runnel replicate DB_PATH REPLICA_URL, or runnel replicate -config FILE");
    }
    if (args.size() == 1) {
      throw new CliException("must specify a replica URL after the database path",
          "runnel replicate DB_PATH REPLICA_URL");
    }
    if (args.size() > 2) {
      throw new CliException("only one replica URL may be specified", "runnel replicate DB_PATH REPLICA_URL");
    }
    if (forceSnapshot && !once) {
      throw new CliException("-force-snapshot requires -once", "runnel replicate -once -force-snapshot");
    }
    if (enforceRetention && !once) {
      throw new CliException("-enforce-retention requires -once");
    }
    Duration maxLag = duration("-health-max-lag", healthMaxLag);
    Duration errWindow = duration("-health-error-window", healthErrorWindow);

    RunnelConfig cfg;
    List<DbSpec> singles = new ArrayList<>();
    if (args.size() == 2) {
      cfg = RunnelConfig.defaults();
      singles.add(DbSpec.fromUrl(Path.of(args.get(0)), args.get(1), cfg));
    } else {
      cfg = config.load(err);
      if (cfg.dbs().isEmpty()) {
        throw new CliException("no databases specified in configuration", "add a dbs: entry to the config file");
      }
      for (var db : cfg.dbs()) {
        if (db.path().isPresent()) {
          singles.add(DbSpec.fromConfig(cfg, db));
        }
      }
    }
    String execLine = exec != null ? exec : cfg.exec().orElse(null);
    if (execLine != null && execLine.isBlank()) {
      execLine = null;
    }
    if (once && execLine != null) {
      throw new CliException("cannot specify -exec with -once");
    }
    List<String> command = null;
    if (execLine != null) {
      try {
        command = ShellWords.split(execLine);
      } catch (IllegalArgumentException e) {
        throw new CliException("invalid -exec: " + e.getMessage());
      }
      if (command.isEmpty()) {
        command = null;
      }
    }

    String level = logLevel != null ? logLevel
        : System.getenv("LOG_LEVEL") != null && !System.getenv("LOG_LEVEL").isEmpty() ? System.getenv("LOG_LEVEL")
        : cfg.logging().level();
    Main.configureLogging(level, cfg.logging().stderr() ? System.err : System.out);
    if (enforceRetention) {
      LOG.warning("-enforce-retention: retention is not implemented by runnel yet; nothing deleted");
    }

    if (once) {
      return runOnce(cfg, singles);
    }
    return runDaemon(cfg, singles, command, new MetricsServer.HealthPolicy(maxLag, errWindow));
  }

  private static Duration duration(String flag, String v) throws CliException {
    try {
      return GoDuration.parse(v);
    } catch (IllegalArgumentException e) {
      throw new CliException("invalid " + flag + " \"" + v + "\": " + e.getMessage(), flag + " 5m");
    }
  }

  private int runOnce(RunnelConfig cfg, List<DbSpec> singles) throws Exception {
    Daemon d = new Daemon(cfg, restoreIfMissing);
    int failed;
    try {
      d.start(singles, false);
      failed = d.syncAll(forceSnapshot);
    } catch (CliException | IOException | RuntimeException e) {
      try {
        d.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    d.close();
    if (failed > 0) {
      throw new CliException(failed + " database(s) failed to sync; see the log above");
    }
    return 0;
  }

  private int runDaemon(RunnelConfig cfg, List<DbSpec> singles, List<String> command,
      MetricsServer.HealthPolicy health) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    AtomicInteger signals = new AtomicInteger();
    Process[] child = new Process[1];
    Daemon[] daemon = new Daemon[1];
    Signals.Registration reg = Signals.install(sig -> {
      int n = signals.incrementAndGet();
      Process c = child[0];
      if (c != null && c.isAlive()) {
        Signals.forward(c, sig);
      }
      if (n == 1) {
        LOG.info(() -> "signal " + sig + " received, shutting down");
        stop.countDown();
      } else {
        LOG.warning("second signal " + sig + ": aborting the final upload retries");
        Daemon dd = daemon[0];
        if (dd != null) {
          dd.abortShutdown();
        }
      }
    });
    MetricsServer metrics = null;
    int exitCode = 0;
    String failure = null;
    try {
      Daemon d = new Daemon(cfg, restoreIfMissing);
      daemon[0] = d;
      try {
        d.start(singles, true);
        if (cfg.addr().isPresent() && !cfg.addr().get().isBlank()) {
          metrics = MetricsServer.start(cfg.addr().get(), d::managed, health);
          MetricsServer mm = metrics;
          LOG.info(() -> "serving metrics on http://" + mm.address().getHostString() + ":" + mm.address().getPort()
              + "/metrics");
        }
        LOG.info(() -> "runnel " + Main.versionString() + ": replicating " + d.managed().size() + " database(s)");
        if (command != null) {
          ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
          try {
            child[0] = pb.start();
          } catch (IOException e) {
            throw new CliException("cannot start -exec command " + command.get(0) + ": " + Main.message(e),
                "check the command and that it is on PATH");
          }
          Process c = child[0];
          LOG.info(() -> "started child process " + c.pid() + ": " + String.join(" ", command));
          c.onExit().thenRun(stop::countDown);
        }
        stop.await();
        Process c = child[0];
        if (c != null) {
          // A signal was forwarded: let the application finish its last writes before the final sync.
          while (!c.waitFor(100, TimeUnit.MILLISECONDS)) {
            if (signals.get() >= 2) {
              c.destroyForcibly();
            }
          }
          int code = c.exitValue();
          LOG.info(() -> "child process exited with code " + code);
          if (code != 0) {
            exitCode = 1;
            failure = "child process exited with code " + code;
          }
        }
      } finally {
        if (metrics != null) {
          metrics.close();
        }
        try {
          d.close();
          LOG.info("replication stopped; every change was uploaded");
        } catch (IOException e) {
          exitCode = 1;
          failure = (failure == null ? "" : failure + "; ") + "final upload incomplete (changes stay in the meta "
              + "directory and upload at the next start): " + e.getMessage();
        }
      }
    } finally {
      reg.close();
      Process c = child[0];
      if (c != null && c.isAlive()) {
        c.destroy();
      }
    }
    if (failure != null) {
      throw new CliException(failure);
    }
    return exitCode;
  }
}
