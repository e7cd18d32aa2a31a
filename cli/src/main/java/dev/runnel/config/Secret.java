package dev.runnel.config;

import java.util.Objects;

/**
 * A credential from the config (secret access key, SSE customer key, passwords). {@link #toString()}
 * is masked so secrets do not leak into logs or {@code runnel databases}; call {@link #reveal()}
 * where the value is really needed.
 */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
  }

  /** The clear-text value. */
  public String reveal() {
    return value;
  }

  /** Always {@code ****}, whatever the value. */
  @Override
  public String toString() {
    return "****";
  }
}
