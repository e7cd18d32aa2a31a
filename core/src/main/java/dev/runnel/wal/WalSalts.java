package dev.runnel.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A salt pair identifying one WAL generation (SQLite picks new salts whenever it restarts the
 * log from the beginning). Immutable.
 *
 * @param salt1 salt-1
 * @param salt2 salt-2
 */
public record WalSalts(int salt1, int salt2) {

  /**
   * Scans the headers of all complete frames from offset 32 to the end of the file, without
   * verifying checksums, and returns the distinct salt pairs in order of first appearance. More
   * than the current and the previous generation means another process ran a FULL or RESTART
   * checkpoint (spec capture.md §6 item 5). Positional reads only; the caller owns the channel.
   *
   * @param pageSize the page size in bytes
   * @throws WalFormatException if the page size is invalid
   */
  public static List<WalSalts> generations(FileChannel wal, int pageSize) throws IOException {
    return generations(wal, "WAL", pageSize);
  }

  /** As {@link #generations(FileChannel, int)}, naming the file {@code name} in exceptions. */
  public static List<WalSalts> generations(FileChannel wal, String name, int pageSize)
      throws IOException {
    WalReader.checkPageSize(name, pageSize);
    long frameSize = WalFrame.HEADER_SIZE + (long) pageSize;
    long size = wal.size();
    ByteBuffer salts = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
    Set<WalSalts> seen = new LinkedHashSet<>();
    for (long off = WalHeader.SIZE; off + frameSize <= size; off += frameSize) {
      if (!WalReader.readFully(wal, salts, off + 8)) {
        break;
      }
      seen.add(new WalSalts(salts.getInt(0), salts.getInt(4)));
    }
    return new ArrayList<>(seen);
  }

  @Override
  public String toString() {
    return String.format("%08x/%08x", salt1, salt2);
  }
}
