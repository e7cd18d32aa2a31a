package dev.runnel.cli;

import java.io.PrintWriter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code runnel} command. Errors print as one line plus a hint; exit code 1. */
@Command(
    name = "runnel",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "SQLite replication for the JVM (Litestream 0.5 compatible).",
    subcommands = {ServeCommand.class, ReplicateCommand.class, RestoreCommand.class, LtxCommand.class, DatabasesCommand.class,
        StatusCommand.class, SnapshotCommand.class, VerifyCommand.class, VersionCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    configureLogging(System.getenv("LOG_LEVEL"));
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this in-process). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    addHelpOptions(cl);
    cl.setUsageHelpWidth(100);
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      PrintWriter err = cmd.getErr();
      err.println("Error: " + message(ex));
      if (ex instanceof CliException ce && ce.hint() != null) {
        err.println("Try: " + ce.hint());
      }
      err.flush();
      return 1;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("Error: " + ex.getMessage());
      err.println("Try: runnel " + ex.getCommandLine().getCommandSpec().qualifiedName().replaceFirst("^runnel ?", "")
          + (ex.getCommandLine().getCommandSpec().qualifiedName().equals("runnel") ? "" : " ") + "--help");
      err.flush();
      return 1;
    });
    return cl;
  }

  /** {@code -h}, {@code -help} and {@code --help} on every command, as Litestream accepts them. */
  private static void addHelpOptions(CommandLine cl) {
    var spec = cl.getCommandSpec();
    boolean has = spec.options().stream().anyMatch(CommandLine.Model.OptionSpec::usageHelp);
    if (!has) {
      spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "-help", "--help").usageHelp(true)
          .description("Show this help message and exit.").build());
    } else if (spec.findOption("-help") == null) {
      // The root's standard -h/--help: add Go's -help spelling.
      spec.addOption(CommandLine.Model.OptionSpec.builder("-help").usageHelp(true).hidden(true).build());
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      addHelpOptions(sub);
    }
  }

  static String message(Throwable ex) {
    String m = ex.getMessage();
    if (m == null || m.isBlank()) {
      m = ex.getClass().getSimpleName();
    }
    return m;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  /** One line per record on stderr; {@code level} is Litestream's (trace debug info warn error). */
  static void configureLogging(String level) {
    configureLogging(level, System.err);
  }

  /** One line per record on {@code stream}; {@code level} is Litestream's (trace debug info warn error). */
  static void configureLogging(String level, java.io.PrintStream stream) {
    Level l = switch (level == null ? "" : level.toLowerCase(java.util.Locale.ROOT)) {
      case "trace" -> Level.FINEST;
      case "debug" -> Level.FINE;
      case "info" -> Level.INFO;
      case "error" -> Level.SEVERE;
      default -> Level.WARNING;
    };
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Formatter f = new Formatter() {
      @Override
      public String format(LogRecord r) {
        return String.format("%1$tFT%1$tT.%1$tLZ %2$s %3$s%n", r.getMillis(), levelName(r.getLevel()),
            formatMessage(r));
      }
    };
    java.util.logging.Handler h = new java.util.logging.StreamHandler(stream, f) {
      @Override
      public synchronized void publish(LogRecord r) {
        super.publish(r);
        flush();
      }

      @Override
      public synchronized void close() {
        flush();
      }
    };
    h.setLevel(l);
    root.addHandler(h);
    root.setLevel(l);
  }

  /** Litestream's level names. */
  static String levelName(Level l) {
    int v = l.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    } else if (v >= Level.WARNING.intValue()) {
      return "WARN";
    } else if (v >= Level.INFO.intValue()) {
      return "INFO";
    } else if (v >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"runnel " + versionString()};
    }
  }

  static String versionString() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
