package dev.runnel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code runnel} command. */
@Command(
    name = "runnel",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "SQLite replication for the JVM (Litestream 0.5 compatible).",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (for tests that run it in-process). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"runnel " + (v == null ? "dev" : v)};
    }
  }
}
