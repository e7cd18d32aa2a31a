package dev.runnel.server;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 CSV reader: comma-separated fields, double-quoted fields that may hold
 * commas, CR/LF and {@code ""} (an escaped quote), records ended by CRLF or LF (a lone CR too).
 * Reads one record at a time from a {@link Reader} with a fixed buffer, so memory stays flat
 * whatever the input size.
 *
 * <p>Conventions beyond RFC 4180 (PostgreSQL {@code COPY ... CSV}-like): an unquoted empty field
 * is returned as {@code null} (SQL NULL), a quoted empty field {@code ""} as the empty string; a
 * UTF-8 byte-order mark before the first record is skipped; empty lines are skipped. Errors
 * (a quote inside an unquoted field, text after a closing quote, an unterminated quoted field)
 * name the 1-based line. Not thread-safe.
 */
public final class Csv implements AutoCloseable {
  /** A malformed record; {@link #line()} is the 1-based line where the problem is. */
  public static final class CsvException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long line;

    CsvException(long line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }

    public long line() {
      return line;
    }
  }

  private static final int EOF = -1;
  private final Reader in;
  private final char[] buf = new char[1 << 16];
  private int len;
  private int pos;
  private long line = 1;
  private long recordLine;
  private boolean first = true;
  private final StringBuilder field = new StringBuilder();
  private final int maxFieldChars;

  public Csv(Reader in) {
    this(in, 10 << 20);
  }

  /** @param maxFieldChars longest field accepted (a guard against a runaway quoted field) */
  public Csv(Reader in, int maxFieldChars) {
    this.in = in;
    this.maxFieldChars = maxFieldChars;
  }

  private int read() throws IOException {
    if (pos == len) {
      len = in.read(buf, 0, buf.length);
      pos = 0;
      if (len <= 0) {
        len = 0;
        return EOF;
      }
    }
    return buf[pos++];
  }

  private int peek() throws IOException {
    if (pos == len) {
      len = in.read(buf, 0, buf.length);
      pos = 0;
      if (len <= 0) {
        len = 0;
        return EOF;
      }
    }
    return buf[pos];
  }

  /** The 1-based line on which the record last returned by {@link #next()} started. */
  public long recordLine() {
    return recordLine;
  }

  /** The next record, or null at the end of input. */
  public List<String> next() throws IOException {
    int c = read();
    if (first) {
      first = false;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    // Skip empty lines.
    while (c == '\n' || c == '\r') {
      if (c == '\r' && peek() == '\n') {
        read();
      }
      line++;
      c = read();
    }
    if (c == EOF) {
      return null;
    }
    recordLine = line;
    List<String> out = new ArrayList<>();
    while (true) {
      field.setLength(0);
      boolean quoted = false;
      if (c == '"') {
        quoted = true;
        long startLine = line;
        while (true) {
          c = read();
          if (c == EOF) {
            throw new CsvException(startLine, "unterminated quoted field (opened on this line)");
          }
          if (c == '"') {
            if (peek() == '"') {
              read();
              append('"');
              continue;
            }
            c = read();
            break;
          }
          if (c == '\n' || (c == '\r' && peek() != '\n')) {
            line++;
          }
          append((char) c);
        }
        if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
          throw new CsvException(line, "unexpected character after a closing quote in field " + (out.size() + 1)
              + " (a quote inside a quoted field must be doubled)");
        }
      } else {
        while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
          if (c == '"') {
            throw new CsvException(line, "quote inside unquoted field " + (out.size() + 1)
                + " (quote the whole field and double the quote)");
          }
          append((char) c);
          c = read();
        }
      }
      out.add(!quoted && field.length() == 0 ? null : field.toString());
      if (c == ',') {
        c = read();
        continue;
      }
      if (c == '\r' && peek() == '\n') {
        read();
      }
      if (c != EOF) {
        line++;
      }
      return out;
    }
  }

  private void append(char c) throws CsvException {
    if (field.length() >= maxFieldChars) {
      throw new CsvException(line, "field longer than " + maxFieldChars + " characters");
    }
    field.append(c);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
