package dev.runnel.wal;

import java.io.IOException;

/**
 * Resuming a WAL read at an offset failed because the frame just before that offset does not
 * belong to the expected WAL generation (its salts differ from the caller's, or it is gone).
 * The WAL has been restarted or overwritten since the position was recorded; the replication
 * engine must fall back (spec capture.md §4 step 4 and §6).
 */
public class PrevFrameMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  public PrevFrameMismatchException(long offset, String message) {
    super("cannot resume WAL at offset " + offset + ": " + message);
    this.offset = offset;
  }

  /** The requested resume offset, in bytes from the start of the WAL file. */
  public long offset() {
    return offset;
  }
}
