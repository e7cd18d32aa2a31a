package dev.runnel.verify;

import java.util.Objects;

/**
 * One thing wrong with a replica, precise enough to act on.
 *
 * @param severity {@link Severity#ERROR} makes the replica fail verification; a
 *                 {@link Severity#WARNING} is legal but unusual (e.g. overlapping compactions)
 * @param kind     what is wrong
 * @param level    the level concerned, or -1 for the replica as a whole
 * @param file     the file's name ({@code <min>-<max>.ltx}), or null
 * @param expected what was expected, or null
 * @param actual   what was found, or null
 * @param message  a complete human-readable sentence naming all of the above
 */
public record VerifyProblem(Severity severity, Kind kind, int level, String file, String expected, String actual,
    String message) {

  public enum Severity { ERROR, WARNING }

  public enum Kind {
    /** The replica could not be listed. */
    LIST_FAILED,
    /** The replica holds no LTX file. */
    EMPTY,
    /** A file could not be read (I/O error). */
    READ_FAILED,
    /** A file fails strict decoding: checksum, truncation, bad header or page, ... */
    CORRUPT,
    /** The header's TxId range differs from the file name. */
    NAME_MISMATCH,
    /** The header does not fit the file's level (e.g. WAL fields in a compaction level). */
    LEVEL_MISMATCH,
    /** A level-9 file that is not a snapshot (does not start at TxId 1). */
    NOT_SNAPSHOT,
    /** Files of one replica with different page sizes. */
    PAGE_SIZE_MISMATCH,
    /** A file starts after the previous file's MaxTXID + 1: TxIds missing from the level. */
    GAP,
    /** A file starts at or before the previous file's MaxTXID. */
    OVERLAP,
    /** The test restore could not be planned or failed. */
    RESTORE_FAILED,
    /** A restored database failed SQLite's integrity check. */
    INTEGRITY_FAILED
  }

  public VerifyProblem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  static VerifyProblem error(Kind kind, int level, String file, String expected, String actual, String message) {
    return new VerifyProblem(Severity.ERROR, kind, level, file, expected, actual, message);
  }

  static VerifyProblem warning(Kind kind, int level, String file, String expected, String actual, String message) {
    return new VerifyProblem(Severity.WARNING, kind, level, file, expected, actual, message);
  }

  @Override
  public String toString() {
    return severity + " " + kind + ": " + message;
  }
}
