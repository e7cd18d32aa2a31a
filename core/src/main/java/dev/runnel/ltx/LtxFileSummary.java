package dev.runnel.ltx;

import java.util.List;

/**
 * Everything {@link LtxDecoder#verify} learned about a fully verified LTX file.
 *
 * @param source the file name or stream description
 * @param header the validated header
 * @param trailer the trailer (file checksum verified)
 * @param pages every page frame in file order
 * @param indexOffset absolute offset of the page index (right after the 6-byte end marker)
 * @param indexLength the index length field: entry bytes plus the terminator
 * @param fileSize total file size in bytes
 * @param databaseChecksum rolling checksum of the pages in this file (spec §10); for a snapshot
 *     this is the database checksum after applying it
 */
public record LtxFileSummary(
    String source,
    LtxHeader header,
    LtxTrailer trailer,
    List<LtxPageInfo> pages,
    long indexOffset,
    long indexLength,
    long fileSize,
    long databaseChecksum) {
  public LtxFileSummary {
    pages = List.copyOf(pages);
  }

  /** Number of page frames. */
  public int pageCount() {
    return pages.size();
  }

  /** Page numbers in file order. */
  public int[] pgnos() {
    return pages.stream().mapToInt(LtxPageInfo::pgno).toArray();
  }
}
