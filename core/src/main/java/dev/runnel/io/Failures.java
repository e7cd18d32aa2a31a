package dev.runnel.io;

import java.io.IOException;

/** Rethrowing a failure caught as {@link Throwable} from a method that throws {@link IOException}. */
public final class Failures {
  private Failures() {}

  /**
   * Throws {@code t} itself if it is unchecked ({@link RuntimeException}, {@link Error}); otherwise
   * returns it as an {@link IOException} (itself if it is one, else wrapped) for the caller to
   * throw: {@code throw Failures.rethrow(t);}.
   */
  public static IOException rethrow(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new IOException(t);
  }
}
