package dev.runnel.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * SIGINT/SIGTERM handling for the daemon through {@code sun.misc.Signal} (module jdk.unsupported),
 * so that a first signal starts a graceful shutdown and a second one can cut it short — shutdown
 * hooks cannot see the second signal. Falls back to a shutdown hook where the API is missing.
 */
final class Signals {
  private static final Logger LOG = Logger.getLogger(Signals.class.getName());

  private Signals() {}

  /** Undoes {@link #install}. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** Calls {@code handler} with "INT" or "TERM" for each signal, on a JVM signal thread. */
  @SuppressWarnings("removal")
  static Registration install(Consumer<String> handler) {
    List<Runnable> undo = new ArrayList<>();
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal sig = new sun.misc.Signal(name);
        sun.misc.SignalHandler prev = sun.misc.Signal.handle(sig, s -> handler.accept(s.getName()));
        undo.add(() -> sun.misc.Signal.handle(sig, prev));
      } catch (IllegalArgumentException | LinkageError e) {
        LOG.fine(() -> "cannot handle SIG" + name + ": " + e);
      }
    }
    if (undo.isEmpty()) {
      Thread hook = new Thread(() -> handler.accept("TERM"), "runnel-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      undo.add(() -> {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      });
    }
    return () -> undo.forEach(Runnable::run);
  }

  /** Sends SIGINT or SIGTERM to a child process. */
  static void forward(Process p, String sig) {
    if (sig.equals("TERM")) {
      p.destroy();
      return;
    }
    try {
      new ProcessBuilder("kill", "-s", sig, Long.toString(p.pid())).inheritIO().start();
    } catch (IOException e) {
      p.destroy();
    }
  }
}
