package dev.runnel.config;

import java.time.Duration;
import java.util.Map;

/**
 * Go duration syntax ({@code time.ParseDuration}), which is what Litestream configs are written in.
 *
 * <p>Accepted: an optional sign, then one or more {@code <number><unit>} pairs where the number may
 * have a fraction ({@code 1.5h}, {@code .5s}) and the unit is one of {@code ns us µs μs ms s m h};
 * the bare string {@code 0} is also accepted. Rejected: an empty string, a missing unit
 * ({@code 30}), unknown units ({@code 1d}, {@code 1 second}) and values beyond ±292 years.
 */
public final class GoDuration {
  private static final Map<String, Long> UNITS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L, // micro sign
          "\u03bcs", 1_000L, // Greek mu
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  /**
   * Parses a Go duration string.
   *
   * @throws IllegalArgumentException with a Go-like reason when {@code text} is not a duration
   */
  public static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("invalid duration");
    }
    long total = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (!(c == '.' || isDigit(c))) {
        throw new IllegalArgumentException("invalid duration");
      }
      long whole = 0;
      int start = i;
      while (i < n && isDigit(s.charAt(i))) {
        if (whole > (Long.MAX_VALUE - 9) / 10) {
          throw new IllegalArgumentException("invalid duration (overflow)");
        }
        whole = whole * 10 + (s.charAt(i) - '0');
        i++;
      }
      boolean pre = i != start;
      long frac = 0;
      double scale = 1;
      boolean post = false;
      if (i < n && s.charAt(i) == '.') {
        i++;
        int fracStart = i;
        boolean overflow = false;
        while (i < n && isDigit(s.charAt(i))) {
          // Like Go, stop gaining precision once the fraction would overflow, but keep consuming.
          if (!overflow) {
            if (frac > (Long.MAX_VALUE - 9) / 10) {
              overflow = true;
            } else {
              frac = frac * 10 + (s.charAt(i) - '0');
              scale *= 10;
            }
          }
          i++;
        }
        post = i != fracStart;
      }
      if (!pre && !post) {
        throw new IllegalArgumentException("invalid duration");
      }
      int unitStart = i;
      while (i < n && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("missing unit in duration");
      }
      Long nanosPerUnit = UNITS.get(unit);
      if (nanosPerUnit == null) {
        throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration");
      }
      if (whole > Long.MAX_VALUE / nanosPerUnit) {
        throw new IllegalArgumentException("invalid duration (overflow)");
      }
      long value = whole * nanosPerUnit;
      if (frac > 0) {
        value += (long) (frac * (nanosPerUnit / scale));
        if (value < 0) {
          throw new IllegalArgumentException("invalid duration (overflow)");
        }
      }
      total += value;
      if (total < 0) {
        throw new IllegalArgumentException("invalid duration (overflow)");
      }
    }
    return Duration.ofNanos(negative ? -total : total);
  }

  /**
   * Formats a duration compactly in Go syntax that {@link #parse} accepts back: {@code 24h},
   * {@code 1m30s}, {@code 500ms}, {@code 0s}.
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (d.isNegative()) {
      b.append('-');
      d = d.negated();
    }
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int nanos = d.toNanosPart();
    if (hours > 0) {
      b.append(hours).append('h');
    }
    if (minutes > 0) {
      b.append(minutes).append('m');
    }
    if (seconds > 0) {
      b.append(seconds).append('s');
    }
    if (nanos > 0) {
      if (nanos % 1_000_000 == 0) {
        b.append(nanos / 1_000_000).append("ms");
      } else if (nanos % 1_000 == 0) {
        b.append(nanos / 1_000).append("us");
      } else {
        b.append(nanos).append("ns");
      }
    }
    return b.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
