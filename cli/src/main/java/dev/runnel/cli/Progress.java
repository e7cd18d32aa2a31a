package dev.runnel.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress bar on stderr, redrawn at most five times a second, shown only when stderr
 * is a terminal ({@code System.console() != null}) and the work is large enough to be worth it.
 * Otherwise every method is a no-op. Thread-safe.
 */
final class Progress implements AutoCloseable {
  /** Below this many bytes no bar is drawn: the work is over before anyone could read it. */
  static final long MIN_BYTES = 4L << 20;

  private final String label;
  private final long total;
  private final boolean enabled;
  private final PrintStream out;
  private final AtomicLong done = new AtomicLong();
  private volatile long lastDraw;
  private boolean drawn;

  private Progress(String label, long total, boolean enabled, PrintStream out) {
    this.label = label;
    this.total = total;
    this.enabled = enabled;
    this.out = out;
  }

  /** A bar for {@code total} units (bytes unless {@code unitIsBytes} is false). */
  static Progress start(String label, long total, boolean bytes) {
    boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    boolean big = bytes ? total >= MIN_BYTES : total >= 20;
    return new Progress(label, bytes ? total : -total, tty && big && total > 0, System.err);
  }

  /** A bar that never draws. */
  static Progress none() {
    return new Progress("", 0, false, System.err);
  }

  void add(long n) {
    long d = done.addAndGet(n);
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw > 200_000_000L || d >= Math.abs(total)) {
      lastDraw = now;
      draw(d);
    }
  }

  private synchronized void draw(long d) {
    long t = Math.abs(total);
    double f = Math.min(1.0, (double) d / t);
    int width = 30;
    int filled = (int) Math.round(f * width);
    String amount = total > 0
        ? String.format("%.1f/%.1f MiB", d / 1048576.0, t / 1048576.0)
        : d + "/" + t;
    out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
        + String.format("%3d%%", (int) (f * 100)) + " " + amount + "  ");
    out.flush();
    drawn = true;
  }

  /** Wraps a stream so that bytes read advance the bar. */
  InputStream wrap(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          add(1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          add(n);
        }
        return n;
      }
    };
  }

  @Override
  public synchronized void close() {
    if (enabled && drawn) {
      out.print("\r" + " ".repeat(label.length() + 60) + "\r");
      out.flush();
    }
  }
}
