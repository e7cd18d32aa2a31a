package dev.runnel.cli;

/**
 * A user-facing error: printed as {@code Error: <message>} plus, when there is one, a
 * {@code Try: <hint>} line; exit code 1.
 */
public final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String hint;

  public CliException(String message) {
    this(message, null);
  }

  public CliException(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  public CliException(String message, String hint, Throwable cause) {
    super(message, cause);
    this.hint = hint;
  }

  /** The {@code Try:} line without the prefix, or null. */
  public String hint() {
    return hint;
  }
}
