package dev.runnel.config;

import java.util.List;
import java.util.Objects;

/**
 * A successfully loaded config and the warnings found while loading it (unknown keys, deprecated
 * forms, ignored settings), each a single line starting with {@code warning: }.
 */
public record LoadedConfig(RunnelConfig config, List<String> warnings) {
  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    warnings = List.copyOf(warnings);
  }
}
