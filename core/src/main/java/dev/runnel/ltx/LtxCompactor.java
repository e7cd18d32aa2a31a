package dev.runnel.ltx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Merges LTX files into one (spec §13), streaming: memory is one page buffer per input plus the
 * encoder's buffers, whatever the file sizes.
 *
 * <p>Output header: flags from the options (default {@link LtxHeader#FLAG_NO_CHECKSUM}), page size,
 * min TXID and pre-apply checksum of the first input; commit, max TXID and timestamp of the last;
 * WAL fields and node id 0. With a no-checksum output the pre/post-apply checksums are 0, never
 * copied from checksum-tracked inputs (Litestream issue #1427).
 *
 * <p>Every input is verified completely (file checksum, index, trailer) while it is consumed, and
 * the output is finished only after all inputs verified; a corrupt input makes {@link #compact}
 * throw and leaves a truncated output that the caller must discard (write to a temp file and
 * rename on success).
 *
 * <p>Stateless and thread-safe; the decoders and stream passed in are not.
 */
public final class LtxCompactor {
  /**
   * Compaction options.
   *
   * @param encoder output encoding and checksum tracking; default current encoding, no checksums
   * @param allowNonContiguous accept TXID gaps between inputs (default false)
   */
  public record Options(LtxEncoder.Options encoder, boolean allowNonContiguous) {
    /** Litestream-compatible defaults. */
    public static final Options DEFAULT = new Options(LtxEncoder.Options.DEFAULT, false);

    public Options {
      Objects.requireNonNull(encoder, "encoder");
    }
  }

  /**
   * The result of a compaction.
   *
   * @param header the output header as written
   * @param trailer the output trailer
   * @param pageCount number of pages written
   */
  public record Result(LtxHeader header, LtxTrailer trailer, int pageCount) {}

  private LtxCompactor() {}

  /** Compacts with {@link Options#DEFAULT}. */
  /** Merges one group of inputs into the file {@code out} and returns it as an input. */
  @FunctionalInterface
  public interface GroupMerge<T> {
    T merge(List<T> group, Path out) throws IOException;
  }

  /**
   * Merges consecutive groups of at most {@code maxOpen} inputs, round after round, until at most
   * {@code maxOpen} remain, so no merge holds more than that many files (and page buffers) open.
   * Order is kept; round {@code r}'s group starting at index {@code i} goes to
   * {@code work/merge-r-i.ltx}. Returns {@code inputs} itself when it is small enough.
   */
  public static <T> List<T> mergeInRounds(List<T> inputs, int maxOpen, Path work, GroupMerge<T> merge)
      throws IOException {
    int round = 0;
    while (inputs.size() > maxOpen) {
      List<T> next = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i += maxOpen) {
        List<T> group = inputs.subList(i, Math.min(i + maxOpen, inputs.size()));
        next.add(group.size() == 1 ? group.get(0) : merge.merge(group, work.resolve("merge-" + round + "-" + i + ".ltx")));
      }
      inputs = next;
      round++;
    }
    return inputs;
  }

  public static Result compact(List<LtxDecoder> inputs, OutputStream out) throws IOException {
    return compact(inputs, out, Options.DEFAULT);
  }

  /**
   * Merges {@code inputs} (sorted by TXID; nothing consumed yet) into {@code out}. Does not close
   * the inputs or the stream.
   *
   * @throws LtxCorruptException if an input is corrupt, the inputs are not contiguous or differ in
   *     page size, or the merged pages break a rule (e.g. a snapshot with holes)
   * @throws IllegalArgumentException if checksum tracking is requested but an input lacks it
   */
  public static Result compact(List<LtxDecoder> inputs, OutputStream out, Options options) throws IOException {
    LtxDecoder first = inputs.get(0);
    LtxDecoder last = inputs.get(inputs.size() - 1);
    boolean track = options.encoder().trackChecksums();
    if (track) {
      for (LtxDecoder d : inputs) {
        if (d.header().noChecksum()) {
          throw new IllegalArgumentException(d.source() + ": checksum-tracked output needs checksum-tracked inputs");
        }
      }
    }
    PageMerger merger = new PageMerger(inputs, options.allowNonContiguous());
    LtxHeader f = first.header();
    LtxHeader l = last.header();
    LtxHeader header = new LtxHeader(0, f.pageSize(), l.commit(), f.minTxId(), l.maxTxId(), l.timestamp(),
        track ? f.preApplyChecksum() : 0, 0, 0, 0, 0, 0);
    String what = "compaction of " + first.source() + " .. " + last.source();
    LtxEncoder enc;
    try {
      enc = new LtxEncoder(out, header, options.encoder());
    } catch (IllegalArgumentException e) {
      throw new LtxCorruptException(what, "output header", e.getMessage(), e);
    }
    int pgno;
    while ((pgno = merger.next()) != 0) {
      try {
        enc.encodePage(pgno, merger.page(), 0);
      } catch (IllegalArgumentException e) {
        // Inputs that are each valid can still combine badly, e.g. a merge from TXID 1 with holes.
        throw new LtxCorruptException(what, "merged pages", e.getMessage(), e);
      }
    }
    LtxTrailer trailer;
    try {
      trailer = enc.finish(track ? last.trailer().postApplyChecksum() : 0);
    } catch (IllegalArgumentException e) {
      throw new LtxCorruptException(what, "merged pages", e.getMessage(), e);
    }
    return new Result(enc.header(), trailer, enc.pageCount());
  }
}
