package dev.runnel.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Loads configs with an injected environment: pid 4242, cwd /srv/app, home /home/alice. */
final class ConfigTestSupport {
  static final long PID = 4242;
  static final Path CWD = Path.of("/srv/app");
  static final Path HOME = Path.of("/home/alice");

  private ConfigTestSupport() {}

  static ConfigLoader loader(Map<String, String> env) {
    return new ConfigLoader(new LoadContext(env, PID, CWD, HOME));
  }

  static LoadedConfig load(String yaml) throws ConfigException {
    return load(yaml, Map.of());
  }

  static LoadedConfig load(String yaml, Map<String, String> env) throws ConfigException {
    return loader(env).parse(yaml, "litestream.yml", true);
  }

  static List<String> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  static List<String> errors(String yaml, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(yaml, env)).problems();
  }
}
