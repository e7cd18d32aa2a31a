package dev.runnel.ltx;

import java.io.IOException;
import java.util.List;

/**
 * k-way merge of LTX decoders by pgno (spec §13): smallest pgno first, the latest input wins on
 * ties, pages above the last input's commit are dropped. Holds one page buffer per input. Every
 * input is read to its end marker, so each is fully verified before {@link #next()} returns 0.
 * Not thread-safe.
 */
final class PageMerger {
  private final List<LtxDecoder> inputs;
  private final byte[][] pages;
  private final int[] current;
  private final int commit;
  private byte[] winner;

  /**
   * @throws LtxCorruptException if the inputs have different page sizes, are not in TXID order or
   *     (unless allowed) are not contiguous
   */
  PageMerger(List<LtxDecoder> inputs, boolean allowNonContiguous) throws IOException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no inputs");
    }
    this.inputs = List.copyOf(inputs);
    LtxHeader first = inputs.get(0).header();
    this.commit = checkOrder(inputs.stream().map(LtxDecoder::header).toList(),
        inputs.stream().map(LtxDecoder::source).toList(), allowNonContiguous);
    int n = inputs.size();
    pages = new byte[n][first.pageSize()];
    current = new int[n];
    for (int i = 0; i < n; i++) {
      current[i] = inputs.get(i).nextPage(pages[i]);
    }
  }

  /**
   * Checks that inputs can be merged: one page size, ascending and (unless allowed) contiguous
   * TXID ranges.
   *
   * @return the last input's commit
   * @throws LtxCorruptException naming the first input that breaks a rule
   */
  static int checkOrder(List<LtxHeader> headers, List<String> sources, boolean allowNonContiguous)
      throws LtxCorruptException {
    LtxHeader first = headers.get(0);
    LtxHeader prev = first;
    for (int i = 1; i < headers.size(); i++) {
      LtxHeader h = headers.get(i);
      if (h.pageSize() != first.pageSize()) {
        throw new LtxCorruptException(sources.get(i), "page size", first.pageSize() + " (as " + sources.get(0) + ")", Integer.toString(h.pageSize()));
      }
      if (!h.maxTxId().isAfter(prev.maxTxId())
          || (!allowNonContiguous && h.minTxId().isAfter(prev.maxTxId().next()))) {
        throw new LtxCorruptException(sources.get(i), "txid range",
            (allowNonContiguous ? "max txid after " : "contiguous after ") + prev.maxTxId(),
            h.minTxId() + "-" + h.maxTxId());
      }
      prev = h;
    }
    return prev.commit();
  }

  /** The last input's commit: the merged database size in pages. */
  int commit() {
    return commit;
  }

  /**
   * Advances to the next merged page.
   *
   * @return its pgno, or 0 when every input is exhausted (and verified)
   */
  int next() throws IOException {
    while (true) {
      int min = 0;
      int win = -1;
      for (int i = 0; i < current.length; i++) {
        int p = current[i];
        if (p != 0 && (min == 0 || p <= min)) {
          // "<=" lets a later input with the same pgno take over: latest wins.
          min = p;
          win = i;
        }
      }
      if (win < 0) {
        return 0;
      }
      // Swap the winner's buffer out so advancing its decoder cannot overwrite the page we return.
      byte[] page = pages[win];
      if (winner == null) {
        winner = new byte[page.length];
      }
      pages[win] = winner;
      winner = page;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == min) {
          current[i] = inputs.get(i).nextPage(pages[i]);
        }
      }
      if (min <= commit) {
        return min;
      }
    }
  }

  /** The page returned by the last {@link #next()}; valid until the next call. */
  byte[] page() {
    return winner;
  }
}
