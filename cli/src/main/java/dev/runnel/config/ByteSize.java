package dev.runnel.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * Human-readable byte sizes as Litestream parses them (go-humanize {@code ParseBytes}).
 *
 * <p>Decimal and binary units are distinct, exactly as in Litestream: {@code KB MB GB TB PB EB}
 * (and {@code K M G T P E}) are powers of 1000, {@code KiB MiB GiB TiB PiB EiB} (and {@code Ki Mi
 * …}) are powers of 1024. Units are case-insensitive, may be separated from the number by spaces,
 * and the number may have a fraction ({@code 1.5GB}) or thousands commas ({@code 1,000}). A plain
 * number is bytes. So {@code 5MB} is 5,000,000 bytes while Litestream's default part size
 * {@code 5MiB} is 5,242,880.
 */
public final class ByteSize {
  private static final long K = 1000L;
  private static final long KI = 1024L;
  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("b", 1L),
          Map.entry("k", K),
          Map.entry("kb", K),
          Map.entry("m", K * K),
          Map.entry("mb", K * K),
          Map.entry("g", K * K * K),
          Map.entry("gb", K * K * K),
          Map.entry("t", K * K * K * K),
          Map.entry("tb", K * K * K * K),
          Map.entry("p", K * K * K * K * K),
          Map.entry("pb", K * K * K * K * K),
          Map.entry("e", K * K * K * K * K * K),
          Map.entry("eb", K * K * K * K * K * K),
          Map.entry("ki", KI),
          Map.entry("kib", KI),
          Map.entry("mi", KI * KI),
          Map.entry("mib", KI * KI),
          Map.entry("gi", KI * KI * KI),
          Map.entry("gib", KI * KI * KI),
          Map.entry("ti", KI * KI * KI * KI),
          Map.entry("tib", KI * KI * KI * KI),
          Map.entry("pi", KI * KI * KI * KI * KI),
          Map.entry("pib", KI * KI * KI * KI * KI),
          Map.entry("ei", KI * KI * KI * KI * KI * KI),
          Map.entry("eib", KI * KI * KI * KI * KI * KI));

  private ByteSize() {}

  /**
   * Parses a size such as {@code 5MiB}, {@code 5MB}, {@code 1.5 GB} or {@code 5242880}.
   *
   * @return the size in bytes (fractions of a byte are truncated)
   * @throws IllegalArgumentException when the text is not a size or does not fit in a long
   */
  public static long parse(String text) {
    String s = text.strip();
    int end = 0;
    boolean comma = false;
    while (end < s.length()) {
      char c = s.charAt(end);
      if (!(Character.isDigit(c) || c == '.' || c == ',')) {
        break;
      }
      comma |= c == ',';
      end++;
    }
    String number = s.substring(0, end);
    if (comma) {
      number = number.replace(",", "");
    }
    BigDecimal value;
    try {
      value = new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid size");
    }
    String unit = s.substring(end).strip().toLowerCase(Locale.ROOT);
    Long multiplier = UNITS.get(unit);
    if (multiplier == null) {
      throw new IllegalArgumentException("unknown size unit \"" + s.substring(end).strip() + "\"");
    }
    BigDecimal bytes = value.multiply(BigDecimal.valueOf(multiplier));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("size too large");
    }
    return bytes.longValue();
  }

  /**
   * Formats bytes with the largest unit that divides them exactly, preferring binary units:
   * {@code 5MiB}, {@code 5MB}, {@code 1000B}... plain bytes are written as {@code 123B}.
   */
  public static String format(long bytes) {
    if (bytes == 0) {
      return "0B";
    }
    String[] binary = {"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"};
    String[] decimal = {"EB", "PB", "TB", "GB", "MB", "KB"};
    for (int i = 0; i < binary.length; i++) {
      long m = UNITS.get(binary[i].toLowerCase(Locale.ROOT));
      if (bytes % m == 0) {
        return bytes / m + binary[i];
      }
    }
    for (int i = 0; i < decimal.length; i++) {
      long m = UNITS.get(decimal[i].toLowerCase(Locale.ROOT));
      if (bytes % m == 0) {
        return bytes / m + decimal[i];
      }
    }
    return bytes + "B";
  }
}
