package dev.runnel.config;

import java.util.List;

/**
 * The config could not be loaded. Carries every problem found, not just the first; each is one
 * line such as {@code litestream.yml:7: dbs[0].monitor-interval: invalid duration "1 second"
 * (expected e.g. 500ms, 30s, 1m)}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, in file order. */
  public List<String> problems() {
    return problems;
  }
}
