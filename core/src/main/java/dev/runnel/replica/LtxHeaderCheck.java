package dev.runnel.replica;

import dev.runnel.ltx.LtxCorruptException;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.io.InputStream;

/**
 * The check every backend makes before storing a file: the first 100 bytes are a valid LTX header
 * (every rule of ltx-format.md §5) whose TxId range matches the name the file is stored under. The
 * header's timestamp becomes the stored file's {@code createdAt}.
 */
public final class LtxHeaderCheck {
  private LtxHeaderCheck() {}

  /**
   * Reads exactly {@link LtxHeader#SIZE} bytes from {@code in} into {@code into} (which must hold at
   * least that many) and validates them.
   *
   * @param source where the bytes go, for messages (a path or object key)
   * @throws InvalidLtxHeaderException naming {@code source} and what is wrong
   */
  public static LtxHeader read(InputStream in, byte[] into, TxId min, TxId max, String source) throws IOException {
    int n = in.readNBytes(into, 0, LtxHeader.SIZE);
    if (n < LtxHeader.SIZE) {
      throw new InvalidLtxHeaderException(
          source + ": LTX header is " + LtxHeader.SIZE + " bytes but the data has only " + n);
    }
    LtxHeader h;
    try {
      h = LtxHeader.parse(n == into.length ? into : java.util.Arrays.copyOf(into, LtxHeader.SIZE), source);
    } catch (LtxCorruptException e) {
      InvalidLtxHeaderException ex = new InvalidLtxHeaderException("invalid LTX header: " + e.getMessage());
      ex.initCause(e);
      throw ex;
    }
    if (!h.minTxId().equals(min) || !h.maxTxId().equals(max)) {
      throw new InvalidLtxHeaderException(source + ": LTX header range " + h.minTxId() + "-" + h.maxTxId()
          + " does not match the file name range " + min + "-" + max);
    }
    return h;
  }
}
