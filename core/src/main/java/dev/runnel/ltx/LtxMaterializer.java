package dev.runnel.ltx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.List;

/**
 * Rebuilds a database file from LTX files that start at TXID 1 (a snapshot, optionally followed by
 * incrementals), merged as in {@link LtxCompactor} (spec §11 step 4, §13).
 *
 * <p>Writes pages 1..commit in order from position 0, zeros at the lock page, and truncates the
 * channel to {@code commit × pageSize}. Every input is verified completely. If all inputs track
 * database checksums, the result is also checked against the last post-apply checksum. Atomic
 * replacement (temp file + rename) is the caller's business.
 *
 * <p>Stateless and thread-safe; the decoders and channel are not.
 */
public final class LtxMaterializer {
  /**
   * The rebuilt database.
   *
   * @param header merged header (as the compactor would write it, flags as of the first input)
   * @param databaseChecksum rolling checksum of the written database (spec §10) when every input
   *     tracks database checksums (it is then verified against the last post-apply checksum); 0
   *     otherwise, because computing it costs a CRC pass over every page
   * @param size bytes written: {@code commit × pageSize}
   */
  public record Result(LtxHeader header, long databaseChecksum, long size) {}

  private static final int WRITE_BUFFER = 1 << 20;

  private LtxMaterializer() {}

  /** As {@link #materialize(List, SeekableByteChannel, boolean)}, requiring contiguous inputs. */
  public static Result materialize(List<LtxDecoder> inputs, SeekableByteChannel out) throws IOException {
    return materialize(inputs, out, false);
  }

  /**
   * Writes the database described by {@code inputs} (sorted by TXID, nothing consumed yet).
   *
   * @throws LtxCorruptException if an input is corrupt, the first input is not a snapshot, or a page
   *     is missing
   */
  public static Result materialize(List<LtxDecoder> inputs, SeekableByteChannel out, boolean allowNonContiguous)
      throws IOException {
    LtxDecoder first = inputs.get(0);
    LtxDecoder last = inputs.get(inputs.size() - 1);
    String what = "database from " + first.source() + " .. " + last.source();
    if (!first.header().isSnapshot()) {
      throw new LtxCorruptException(first.source(), "min txid", "0000000000000001 (rebuild starts at a snapshot)",
          first.header().minTxId().toString());
    }
    PageMerger merger = new PageMerger(inputs, allowNonContiguous);
    int pageSize = first.header().pageSize();
    int lock = LtxHeader.lockPgno(pageSize);
    int commit = merger.commit();
    // The rolling checksum costs a CRC-64 pass over every page; only checksum-tracked inputs have a
    // post-apply value to compare it with.
    boolean tracked = inputs.stream().noneMatch(d -> d.header().noChecksum());
    DatabaseChecksum ck = tracked ? new DatabaseChecksum() : null;
    byte[] zeros = new byte[pageSize];
    // Pages go out in 1 MiB writes: one system call per page dominated restore time.
    ByteBuffer buf = ByteBuffer.allocate(Math.max(pageSize, WRITE_BUFFER / pageSize * pageSize));
    out.position(0);
    int expect = 1;
    int pgno;
    while ((pgno = merger.next()) != 0) {
      if (expect == lock && pgno != lock) {
        append(out, buf, zeros);
        expect++;
      }
      if (pgno != expect) {
        throw new LtxCorruptException(what, "page " + expect, "present (pages 1.." + commit + ")", "missing; next is " + pgno);
      }
      byte[] page = merger.page();
      if (ck != null) {
        ck.addPage(pgno, page, 0, pageSize);
      }
      append(out, buf, page);
      expect++;
    }
    if (expect == lock && commit >= lock) {
      append(out, buf, zeros);
      expect++;
    }
    writeFully(out, buf.flip());
    if (expect <= commit) {
      throw new LtxCorruptException(what, "page " + expect, "present (pages 1.." + commit + ")", "missing");
    }
    long size = (long) commit * pageSize;
    out.truncate(size);
    if (tracked && last.trailer().postApplyChecksum() != ck.value()) {
      throw new LtxCorruptException(last.source(), "post-apply checksum", LtxCorruptException.hex64(ck.value()),
          LtxCorruptException.hex64(last.trailer().postApplyChecksum()));
    }
    LtxHeader f = first.header();
    LtxHeader l = last.header();
    LtxHeader header = new LtxHeader(f.flags(), pageSize, commit, f.minTxId(), l.maxTxId(), l.timestamp(), 0, 0, 0, 0, 0, 0);
    return new Result(header, ck == null ? 0 : ck.value(), size);
  }

  private static void append(SeekableByteChannel out, ByteBuffer buf, byte[] page) throws IOException {
    if (buf.remaining() < page.length) {
      writeFully(out, buf.flip());
      buf.clear();
    }
    buf.put(page);
  }

  private static void writeFully(SeekableByteChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }
}
