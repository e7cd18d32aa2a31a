package dev.runnel.cli;

import dev.runnel.config.ConfigException;
import dev.runnel.config.ConfigLoader;
import dev.runnel.config.LoadedConfig;
import dev.runnel.config.RunnelConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code -config} and {@code -no-expand-env}, shared by every command that reads the config file. */
public final class ConfigOptions {
  @Option(names = {"-config", "--config"}, paramLabel = "PATH",
      description = "Config file (default: $LITESTREAM_CONFIG, else /etc/litestream.yml).")
  String configPath;

  @Option(names = {"-no-expand-env", "--no-expand-env"},
      description = "Do not expand $VAR and $${VAR} in the config file.")
  boolean noExpandEnv;

  /** Whether {@code -config} was given explicitly. */
  boolean explicit() {
    return configPath != null && !configPath.isEmpty();
  }

  /** Loads the config; warnings go to {@code err}. */
  RunnelConfig load(PrintWriter err) throws CliException {
    try {
      LoadedConfig lc = ConfigLoader.system().load(configPath, !noExpandEnv);
      for (String w : lc.warnings()) {
        err.println(w);
      }
      err.flush();
      return lc.config();
    } catch (ConfigException e) {
      throw new CliException(String.join("\n       ", e.problems()),
          "fix the config file, or pass another with -config PATH");
    }
  }
}
