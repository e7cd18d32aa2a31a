package dev.runnel.wal;

/**
 * One valid WAL frame, as returned by {@link WalReader#next(byte[])}. Immutable.
 *
 * @param offset where the 24-byte frame header starts, in bytes from the start of the WAL file
 * @param pgno the database page number (1-based) this frame holds
 * @param commit on a commit frame, the database size in pages after the commit; otherwise 0
 * @param salt1 the frame's salt-1
 * @param salt2 the frame's salt-2
 */
public record WalFrame(long offset, int pgno, int commit, int salt1, int salt2) {
  /** Size of a frame header in bytes. */
  public static final int HEADER_SIZE = 24;

  /** Whether this frame ends a transaction. */
  public boolean isCommit() {
    return commit != 0;
  }

  /** The offset just past this frame (header and page), in bytes. */
  public long end(int pageSize) {
    return offset + HEADER_SIZE + pageSize;
  }
}
