package dev.runnel.wal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds WAL images with correct checksums in either byte order, for tests. */
final class SyntheticWal {
  private final int pageSize;
  private final boolean bigEndian;
  private final int salt1;
  private final int salt2;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private long checksum;

  SyntheticWal(int pageSize, boolean bigEndian, int salt1, int salt2) {
    this.pageSize = pageSize;
    this.bigEndian = bigEndian;
    this.salt1 = salt1;
    this.salt2 = salt2;
    ByteBuffer h = ByteBuffer.allocate(32);
    h.putInt(bigEndian ? WalHeader.MAGIC_BE : WalHeader.MAGIC_LE).putInt(3007000).putInt(pageSize);
    h.putInt(0).putInt(salt1).putInt(salt2);
    checksum = WalChecksum.update(0, h.array(), 0, 24, bigEndian);
    h.putInt(WalChecksum.first(checksum)).putInt(WalChecksum.second(checksum));
    out.writeBytes(h.array());
  }

  /** Appends a frame whose page is filled with {@code fill}. */
  SyntheticWal frame(int pgno, int commit, int fill) {
    byte[] f = new byte[24 + pageSize];
    java.util.Arrays.fill(f, 24, f.length, (byte) fill);
    ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.BIG_ENDIAN);
    b.putInt(0, pgno).putInt(4, commit).putInt(8, salt1).putInt(12, salt2);
    checksum = WalChecksum.update(checksum, f, 0, 8, bigEndian);
    checksum = WalChecksum.update(checksum, f, 24, pageSize, bigEndian);
    b.putInt(16, WalChecksum.first(checksum)).putInt(20, WalChecksum.second(checksum));
    out.writeBytes(f);
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
