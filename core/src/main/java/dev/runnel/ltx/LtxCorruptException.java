package dev.runnel.ltx;

import java.io.IOException;

/**
 * Invalid or damaged LTX input. The message always names the source (a file name or a stream
 * description), the field or structure that failed and, where meaningful, the expected and actual
 * values, e.g. {@code 0000000000000002-0000000000000002.ltx: file checksum: expected
 * 0xc8614b0d42f5f8d4, got 0x8000000000000001}.
 */
public class LtxCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String field;
  private final String expected;
  private final String actual;

  /** A mismatch between an expected and an actual value. */
  public LtxCorruptException(String source, String field, String expected, String actual) {
    super(source + ": " + field + ": expected " + expected + ", got " + actual);
    this.source = source;
    this.field = field;
    this.expected = expected;
    this.actual = actual;
  }

  /** A problem that is not a simple value mismatch (e.g. unexpected end of file). */
  public LtxCorruptException(String source, String field, String detail) {
    this(source, field, detail, (Throwable) null);
  }

  /** As {@link #LtxCorruptException(String, String, String)}, with the underlying cause. */
  public LtxCorruptException(String source, String field, String detail, Throwable cause) {
    super(source + ": " + field + ": " + detail, cause);
    this.source = source;
    this.field = field;
    this.expected = null;
    this.actual = null;
  }

  /** Formats a u64 as {@code 0x} and 16 lower-case hex digits. */
  static String hex64(long v) {
    String h = Long.toHexString(v);
    return "0x" + "0000000000000000".substring(h.length()) + h;
  }

  /** The file name or stream description given to the reader. */
  public String source() {
    return source;
  }

  /** The field or structure that failed, e.g. {@code "file checksum"}. */
  public String field() {
    return field;
  }

  /** The expected value, or null if the problem is not a value mismatch. */
  public String expected() {
    return expected;
  }

  /** The value found, or null if the problem is not a value mismatch. */
  public String actual() {
    return actual;
  }
}
