package dev.runnel.ltx;

import java.io.IOException;
import java.io.InputStream;

/**
 * Ranged reads of one stored object (a replica file, an S3 object...), as used by
 * {@link LtxPageReader}. Implementations decide thread-safety.
 */
public interface RangeReader {
  /** Total size in bytes. */
  long size() throws IOException;

  /** A stream of exactly {@code length} bytes starting at {@code offset} (fewer only at EOF). */
  InputStream open(long offset, long length) throws IOException;
}
