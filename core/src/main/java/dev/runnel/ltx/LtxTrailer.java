package dev.runnel.ltx;

/**
 * The 16-byte LTX trailer.
 *
 * @param postApplyChecksum database checksum after applying the file; 0 when checksums are not
 *     tracked (header flag {@link LtxHeader#FLAG_NO_CHECKSUM})
 * @param fileChecksum {@code 0x8000000000000000 | CRC-64/ISO} over the header, page headers, size
 *     fields, decompressed pages, end marker, index and post-apply checksum
 */
public record LtxTrailer(long postApplyChecksum, long fileChecksum) {
  /** Trailer size in bytes. */
  public static final int SIZE = 16;

  /** Checks trailer rules (spec §5) against the header; null if valid, else the problem. */
  static LtxHeader.Problem problem(LtxHeader h, long post, long fileChecksum) {
    if (h.noChecksum()) {
      if (post != 0) {
        return new LtxHeader.Problem("post-apply checksum", "0 (no-checksum file)", LtxCorruptException.hex64(post));
      }
    } else if (post == 0 || post > 0) {
      return new LtxHeader.Problem("post-apply checksum", "non-zero with bit 63 set", LtxCorruptException.hex64(post));
    }
    if (fileChecksum >= 0) {
      return new LtxHeader.Problem("file checksum", "non-zero with bit 63 set", LtxCorruptException.hex64(fileChecksum));
    }
    if (h.commit() == 0 && post != DatabaseChecksum.EMPTY) {
      return new LtxHeader.Problem("post-apply checksum", "0x8000000000000000 (commit 0)", LtxCorruptException.hex64(post));
    }
    return null;
  }
}
