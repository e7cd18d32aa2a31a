package dev.runnel.wal;

import java.io.IOException;

/**
 * A structural error in how a WAL file is addressed or described: an offset that is not on a
 * frame boundary, an unsupported page size. The message names the file, the field, the expected
 * and the actual value.
 *
 * <p>Invalid <em>content</em> (bad checksums, stale salts, truncated frames) is not reported with
 * this exception: SQLite treats such data as the end of the log, and so does {@link WalReader}.
 */
public class WalFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String field;
  private final String expected;
  private final String actual;

  public WalFormatException(String file, String field, String expected, String actual) {
    super(file + ": invalid " + field + ": expected " + expected + ", got " + actual);
    this.file = file;
    this.field = field;
    this.expected = expected;
    this.actual = actual;
  }

  /** The file name (or description) given by the caller. */
  public String file() {
    return file;
  }

  public String field() {
    return field;
  }

  public String expected() {
    return expected;
  }

  public String actual() {
    return actual;
  }
}
