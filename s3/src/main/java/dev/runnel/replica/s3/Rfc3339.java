package dev.runnel.replica.s3;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Go's {@code time.RFC3339Nano} as Litestream writes {@code litestream-timestamp}. */
final class Rfc3339 {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private Rfc3339() {}

  /**
   * Formats in UTC like Go's {@code t.UTC().Format(time.RFC3339Nano)}: the fraction has up to nine
   * digits with trailing zeros removed, and no dot at all when it is zero; the zone is {@code Z}.
   */
  static String format(Instant t) {
    OffsetDateTime d = t.atOffset(ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(SECONDS.format(d));
    int nanos = d.getNano();
    if (nanos != 0) {
      String frac = String.format("%09d", nanos);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      b.append('.').append(frac, 0, end);
    }
    return b.append('Z').toString();
  }

  /** Parses RFC 3339 with an optional fraction and any offset; empty if malformed. */
  static Optional<Instant> parse(String s) {
    if (s == null || s.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(s.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
