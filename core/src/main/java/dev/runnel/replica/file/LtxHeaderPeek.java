package dev.runnel.replica.file;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.InvalidLtxHeaderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The few LTX header fields a backend needs to store a file (ltx-format.md §3): the range to check
 * against the name and the timestamp to stamp on it. Deliberately minimal: the full header codec
 * lives in {@code dev.runnel.ltx} (being written separately); once it exists this can delegate to
 * it. Only the magic, MinTXID (offset 16), MaxTXID (24) and Timestamp (32, i64 ms) are read.
 */
record LtxHeaderPeek(TxId min, TxId max, long timestampMillis) {
  static final int HEADER_SIZE = 100;
  private static final byte[] MAGIC = {'L', 'T', 'X', '1'};

  /** Parses the first {@link #HEADER_SIZE} bytes of {@code header}. */
  static LtxHeaderPeek parse(byte[] header, int length, String source) throws InvalidLtxHeaderException {
    if (length < HEADER_SIZE) {
      throw new InvalidLtxHeaderException(
          source + ": LTX header is " + HEADER_SIZE + " bytes but the data has only " + length);
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (header[i] != MAGIC[i]) {
        throw new InvalidLtxHeaderException(
            source + ": bad LTX magic: expected 4c545831 (\"LTX1\"), got "
                + String.format("%02x%02x%02x%02x", header[0], header[1], header[2], header[3]));
      }
    }
    ByteBuffer b = ByteBuffer.wrap(header, 0, HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    return new LtxHeaderPeek(TxId.of(b.getLong(16)), TxId.of(b.getLong(24)), b.getLong(32));
  }

  /**
   * Reads exactly {@link #HEADER_SIZE} bytes (fewer only at end of stream) into a new array and
   * checks that the header names the range {@code min..max}.
   */
  static LtxHeaderPeek read(InputStream in, byte[] into, TxId min, TxId max, String source) throws IOException {
    int n = in.readNBytes(into, 0, HEADER_SIZE);
    LtxHeaderPeek h = parse(into, n, source);
    if (!h.min.equals(min) || !h.max.equals(max)) {
      throw new InvalidLtxHeaderException(
          source + ": LTX header range " + h.min + "-" + h.max + " does not match the file name range "
              + min + "-" + max);
    }
    return h;
  }
}
