package dev.runnel.restore.v3;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses 0.3 object keys exactly as spec §10.1 describes. Anything that does not match is not a
 * 0.3 object and is ignored by listings (temp files, {@code .DS_Store}, upper-case hex...).
 * Stateless and thread-safe.
 */
public final class V3Names {
  /** Prefix of all 0.3 objects below the replica root. */
  public static final String GENERATIONS = "generations/";

  static final Pattern GENERATION = Pattern.compile("^[0-9a-f]{16}$");
  static final Pattern SNAPSHOT = Pattern.compile("^([0-9a-f]{8})\\.snapshot\\.lz4$");
  // v0.3.13 wrote offsets with %08x (a minimum width), so offsets >= 4 GiB have more digits.
  static final Pattern SEGMENT = Pattern.compile("^([0-9a-f]{8})_([0-9a-f]{8,16})\\.wal\\.lz4$");

  private V3Names() {}

  /** A parsed key: a snapshot or a WAL segment. */
  public sealed interface Parsed permits ParsedSnapshot, ParsedSegment {}

  /** {@code generations/<generation>/snapshots/<index>.snapshot.lz4}. */
  public record ParsedSnapshot(V3Snapshot snapshot) implements Parsed {}

  /** {@code generations/<generation>/wal/<index>_<offset>.wal.lz4}. */
  public record ParsedSegment(V3Segment segment) implements Parsed {}

  /** Parses one listed object; empty if its key is not a 0.3 snapshot or WAL segment key. */
  public static Optional<Parsed> parse(V3Object o) {
    String[] parts = o.key().split("/", -1);
    if (parts.length != 4 || !parts[0].equals("generations")) {
      return Optional.empty();
    }
    String gen = parts[1];
    if (!GENERATION.matcher(gen).matches()) {
      return Optional.empty();
    }
    if (parts[2].equals("snapshots")) {
      return parseSnapshotName(parts[3])
          .map(idx -> new ParsedSnapshot(new V3Snapshot(gen, idx, o.modified(), o.size(), o.key())));
    }
    if (parts[2].equals("wal")) {
      return parseSegmentName(parts[3])
          .map(io -> new ParsedSegment(
              new V3Segment(gen, io[0], io[1], o.modified(), o.size(), o.key())));
    }
    return Optional.empty();
  }

  /** True if {@code name} is a valid generation name (16 lower-case hex). */
  public static boolean isGeneration(String name) {
    return GENERATION.matcher(name).matches();
  }

  /** The index of a snapshot file name such as {@code 0000000a.snapshot.lz4}. */
  public static Optional<Long> parseSnapshotName(String name) {
    Matcher m = SNAPSHOT.matcher(name);
    return m.matches() ? Optional.of(Long.parseLong(m.group(1), 16)) : Optional.empty();
  }

  /**
   * The {@code {index, offset}} of a WAL segment file name such as {@code
   * 00000000_00004080.wal.lz4}. Offsets that do not fit a signed 64-bit value (no real WAL is
   * that large) do not parse.
   */
  public static Optional<long[]> parseSegmentName(String name) {
    Matcher m = SEGMENT.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    long offset = Long.parseUnsignedLong(m.group(2), 16);
    if (offset < 0) {
      return Optional.empty();
    }
    return Optional.of(new long[] {Long.parseLong(m.group(1), 16), offset});
  }

  static String hex8(long index) {
    return String.format("%08x", index);
  }
}
