package dev.runnel.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code runnel version}, as Litestream has it. */
@Command(name = "version", description = "Print the version.")
public final class VersionCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().getOut().println("runnel " + Main.versionString());
    spec.commandLine().getOut().flush();
  }
}
