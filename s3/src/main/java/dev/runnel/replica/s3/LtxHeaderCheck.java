package dev.runnel.replica.s3;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.InvalidLtxHeaderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The LTX header fields the S3 backend needs (ltx-format.md §3): magic, MinTXID (offset 16),
 * MaxTXID (24) and Timestamp (32, i64 milliseconds). Same checks and messages as the file
 * backend's package-private peek, which core does not export.
 */
record LtxHeaderCheck(TxId min, TxId max, long timestampMillis) {
  static final int HEADER_SIZE = 100;
  private static final byte[] MAGIC = {'L', 'T', 'X', '1'};

  /**
   * Reads up to {@link #HEADER_SIZE} bytes into {@code into} and checks that they are an LTX header
   * for {@code min..max}.
   */
  static LtxHeaderCheck read(InputStream in, byte[] into, TxId min, TxId max, String source) throws IOException {
    int n = in.readNBytes(into, 0, HEADER_SIZE);
    if (n < HEADER_SIZE) {
      throw new InvalidLtxHeaderException(
          source + ": LTX header is " + HEADER_SIZE + " bytes but the data has only " + n);
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (into[i] != MAGIC[i]) {
        throw new InvalidLtxHeaderException(
            source + ": bad LTX magic: expected 4c545831 (\"LTX1\"), got "
                + String.format("%02x%02x%02x%02x", into[0], into[1], into[2], into[3]));
      }
    }
    ByteBuffer b = ByteBuffer.wrap(into, 0, HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    LtxHeaderCheck h = new LtxHeaderCheck(TxId.of(b.getLong(16)), TxId.of(b.getLong(24)), b.getLong(32));
    if (!h.min.equals(min) || !h.max.equals(max)) {
      throw new InvalidLtxHeaderException(
          source + ": LTX header range " + h.min + "-" + h.max + " does not match the file name range "
              + min + "-" + max);
    }
    return h;
  }
}
