package dev.runnel.replica.s3;

import dev.runnel.replica.s3.S3Stats.Op;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A GET response body that fails instead of ending early: end of stream before Content-Length
 * bytes throws {@link EOFException} naming the key and the counts. Counts delivered bytes in the
 * client's stats. Closing aborts the underlying connection when the body was not read to its end.
 */
final class CheckedBodyStream extends FilterInputStream {
  private final long expected;
  private final String key;
  private final S3Stats stats;
  private final String etag;
  private long read;
  private boolean closed;

  CheckedBodyStream(InputStream in, long expected, String key, S3Stats stats) {
    this(in, expected, key, stats, null);
  }

  CheckedBodyStream(InputStream in, long expected, String key, S3Stats stats, String etag) {
    super(in);
    this.expected = expected;
    this.key = key;
    this.stats = stats;
    this.etag = etag;
  }

  /** The object's ETag from the response, if recorded. */
  String etag() {
    return etag;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      checkEnd();
    } else {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    if (len == 0) {
      return 0;
    }
    int n = in.read(buf, off, len);
    if (n < 0) {
      checkEnd();
    } else {
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long s = in.skip(n);
    if (s > 0) {
      count(s);
    }
    return s;
  }

  private void count(long n) throws IOException {
    read += n;
    stats.bytes(Op.GET, n);
    if (expected >= 0 && read > expected) {
      throw new IOException("S3 GET " + key + ": body longer than Content-Length " + expected);
    }
  }

  private void checkEnd() throws IOException {
    if (expected >= 0 && read < expected) {
      stats.error(Op.GET, "TruncatedBody");
      throw new EOFException("S3 GET " + key + ": response body truncated: got " + read + " of " + expected
          + " bytes (Content-Length)");
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (in instanceof software.amazon.awssdk.core.ResponseInputStream<?> r && (expected < 0 || read < expected)) {
      r.abort(); // do not drain a large unread remainder just to reuse the connection
    }
    in.close();
  }
}
