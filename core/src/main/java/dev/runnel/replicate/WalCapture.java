package dev.runnel.replicate;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxEncoder;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import dev.runnel.wal.PrevFrameMismatchException;
import dev.runnel.wal.WalHeader;
import dev.runnel.wal.WalPageMap;
import dev.runnel.wal.WalReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Turns newly committed WAL frames into one level-0 LTX file per call (spec: capture.md §5–6).
 *
 * <p>The rule that keeps it correct: an incremental file is written only when Runnel can prove it
 * saw every frame since the previous file — the WAL is still the same generation (same salts) and
 * the frame before the recorded offset is the one recorded, or the generation changed exactly once
 * by Runnel's own checkpoint. Anything else (a checkpoint or restart by another process, a replaced
 * file, a crash that lost local state) produces a full-page file holding every page. This is
 * stricter than Litestream, which continues incrementally after a restart it did not cause when it
 * sees only two salt generations; frames checkpointed and overwritten in between would be lost.
 *
 * <p>Not thread-safe; {@link ReplicatedDatabase} serializes calls under its sync lock.
 */
final class WalCapture {
  /** What the last L0 file covered, enough to continue from it. */
  record Position(TxId txId, int pageSize, int commit, long walEnd, int salt1, int salt2, byte[] lastFrameHeader) {}

  /** Outcome of one sync call. */
  record Outcome(Optional<LtxFileName> written, boolean fullPage, boolean moreToSync, String reason, long walBytes) {
    static Outcome nothing() {
      return new Outcome(Optional.empty(), false, false, "", 0);
    }
  }

  private static final int FRAME_HEADER = 24;

  private final Path dbPath;
  private final Path walPath;
  private final FileChannel db;
  private final MetaDirectory meta;
  private final Clock clock;
  private final long maxSyncWalBytes;
  private final LtxEncoder.Options encoderOptions;

  private Position pos;
  /** When {@link #pos} is null: the TxId the next full-page file must follow (0 = none, so a snapshot). */
  private TxId base = TxId.ZERO;
  /** Salts of the generation Runnel's own checkpoint started; continue it from offset 32. */
  private int[] ownGeneration;
  /** Continue from offset 32 in whatever generation the WAL has (database equals {@link #pos} exactly). */
  private boolean acceptFreshGeneration;
  private String forceFullReason;
  private byte[] pageBuf = new byte[0];

  WalCapture(Path dbPath, FileChannel db, MetaDirectory meta, Clock clock, long maxSyncWalBytes,
      LtxEncoder.Options encoderOptions) {
    this.dbPath = dbPath;
    this.walPath = dbPath.resolveSibling(dbPath.getFileName() + "-wal");
    this.db = db;
    this.meta = meta;
    this.clock = clock;
    this.maxSyncWalBytes = maxSyncWalBytes;
    this.encoderOptions = encoderOptions;
  }

  Optional<Position> position() {
    return Optional.ofNullable(pos);
  }

  /** The TxId of the newest local L0 file, or the base the next file continues from. */
  TxId currentTxId() {
    return pos != null ? pos.txId() : base;
  }

  /** Forget the position: the next file is full-page and follows {@code after}. */
  void resetTo(TxId after, String reason) {
    pos = null;
    base = after;
    ownGeneration = null;
    acceptFreshGeneration = false;
    forceFullReason = reason;
  }

  /** The next sync must write a full-page file (e.g. after a TRUNCATE checkpoint). */
  void forceFullPage(String reason) {
    forceFullReason = reason;
  }

  /**
   * The database file holds exactly the state of {@code txId} and its WAL had no frames when
   * replication started; continue incrementally from the start of whatever WAL exists now.
   */
  void startFromCleanState(TxId txId, int pageSize, int commit) {
    pos = new Position(txId, pageSize, commit, WalHeader.SIZE, 0, 0, null);
    acceptFreshGeneration = true;
    forceFullReason = null;
  }

  /** Records that Runnel's own checkpoint restarted the WAL into the generation with these salts. */
  void ownCheckpointRestarted(WalHeader next) {
    ownGeneration = new int[] {next.salt1(), next.salt2()};
  }

  /**
   * Restores the position from the newest local L0 file. If the WAL no longer shows the frame that
   * file ended with, the next sync is full-page.
   */
  void recover(Path newestL0) throws IOException {
    LtxHeader h;
    byte[] lastPage = null;
    int lastPgno = 0;
    long walEnd;
    try (InputStream in = Files.newInputStream(newestL0)) {
      LtxDecoder dec = new LtxDecoder(in, newestL0.getFileName().toString());
      h = dec.header();
      walEnd = h.walOffset() + h.walSize();
      byte[] want = null;
      Optional<byte[]> frame = walEnd > WalHeader.SIZE ? readWalFrameHeader(walEnd, h.pageSize()) : Optional.empty();
      if (frame.isPresent()) {
        lastPgno = ByteBuffer.wrap(frame.get()).getInt(0);
      }
      byte[] buf = new byte[h.pageSize()];
      int pgno;
      while ((pgno = dec.nextPage(buf)) != 0) {
        if (pgno == lastPgno) {
          want = buf.clone();
        }
      }
      dec.trailer();
      lastPage = want;
      byte[] header = frame.orElse(null);
      pos = new Position(h.maxTxId(), h.pageSize(), h.commit(), walEnd, h.walSalt1(), h.walSalt2(), header);
      if (walEnd > WalHeader.SIZE && (header == null || lastPage == null
          || !Arrays.equals(lastPage, readWalPage(walEnd - frameSize(h.pageSize()), h.pageSize())))) {
        forceFullReason = "wal no longer holds the last synced frame";
      }
    }
  }

  /**
   * Writes the next L0 file if anything was committed since the last one.
   *
   * @param forceFull write a full-page file even if an incremental one would do
   */
  Outcome sync(int pageSize, boolean forceFull) throws IOException {
    try (FileChannel wal = openWal()) {
      Optional<WalHeader> hdr = wal == null ? Optional.empty() : WalHeader.read(wal);
      String fullReason = forceFull ? "full-page sync requested" : fullPageReason(wal, hdr, pageSize);
      if (fullReason == null) {
        return incremental(wal, hdr.orElseThrow());
      }
      return fullPage(wal, hdr, pageSize, fullReason);
    }
  }

  /** Null when an incremental sync is provably complete, else why it is not. */
  private String fullPageReason(FileChannel wal, Optional<WalHeader> hdr, int pageSize) throws IOException {
    if (forceFullReason != null) {
      return forceFullReason;
    }
    if (pos == null) {
      return base.isZero() ? "first sync" : "no local position";
    }
    if (hdr.isEmpty()) {
      return "wal missing or invalid";
    }
    WalHeader h = hdr.get();
    if (h.pageSize() != pos.pageSize() || pageSize != pos.pageSize()) {
      return "page size changed";
    }
    boolean sameGeneration = h.salt1() == pos.salt1() && h.salt2() == pos.salt2();
    if (sameGeneration) {
      if (wal.size() < pos.walEnd()) {
        return "wal truncated by another process";
      }
      if (pos.walEnd() > WalHeader.SIZE) {
        Optional<byte[]> frame = readWalFrameHeader(wal, pos.walEnd(), pos.pageSize());
        if (frame.isEmpty() || pos.lastFrameHeader() == null || !Arrays.equals(frame.get(), pos.lastFrameHeader())) {
          return "wal overwritten by another process";
        }
      }
      return null;
    }
    if (acceptFreshGeneration || (ownGeneration != null && h.salt1() == ownGeneration[0] && h.salt2() == ownGeneration[1])) {
      return null;
    }
    return "wal restarted by another process";
  }

  private Outcome incremental(FileChannel wal, WalHeader h) throws IOException {
    boolean sameGeneration = h.salt1() == pos.salt1() && h.salt2() == pos.salt2();
    WalReader reader;
    long start;
    if (sameGeneration && pos.walEnd() > WalHeader.SIZE) {
      try {
        reader = WalReader.resume(wal, pos.pageSize(), h.bigEndianChecksums(), pos.walEnd(), pos.salt1(), pos.salt2());
      } catch (PrevFrameMismatchException e) {
        return fullPage(wal, Optional.of(h), pos.pageSize(), "wal frame before offset changed");
      }
      start = pos.walEnd();
    } else {
      reader = WalReader.open(wal, h);
      start = WalHeader.SIZE;
    }
    WalPageMap map = WalPageMap.build(reader, maxSyncWalBytes);
    if (map.commit() == 0) {
      return Outcome.nothing();
    }
    TxId txId = pos.txId().next();
    int pageSize = pos.pageSize();
    LtxHeader header = header(pageSize, map.commit(), txId, start, map.maxOffset() - start, h);
    LtxFileName name = LtxFileName.of(txId, txId);
    int lock = LtxHeader.lockPgno(pageSize);
    int commit = map.commit();
    // An incremental file holds the WAL's pages plus every "growth" page past the previous commit
    // that SQLite did not write to the WAL, so that merges starting at TxId 1 have no holes.
    int growthFrom = pos.commit() + 1;
    meta.writeL0(name, out -> {
      LtxEncoder enc = new LtxEncoder(out, header, encoderOptions);
      var it = map.pages().entrySet().iterator();
      Map.Entry<Integer, Long> next = it.hasNext() ? it.next() : null;
      int g = growthFrom;
      while (true) {
        if (g == lock) {
          g++;
        }
        int walPgno = next != null ? next.getKey() : Integer.MAX_VALUE;
        int growPgno = g <= commit ? g : Integer.MAX_VALUE;
        if (walPgno == Integer.MAX_VALUE && growPgno == Integer.MAX_VALUE) {
          break;
        }
        if (walPgno <= growPgno) {
          enc.encodePage(walPgno, readWalPage(wal, next.getValue(), pageSize), 0);
          if (growPgno == walPgno) {
            g++;
          }
          next = it.hasNext() ? it.next() : null;
        } else {
          enc.encodePage(growPgno, readDbPage(growPgno, pageSize), 0);
          g++;
        }
      }
      enc.finish();
    });
    commitPosition(wal, txId, pageSize, map.commit(), map.maxOffset(), h);
    boolean more = maxSyncWalBytes > 0 && map.maxOffset() - start >= maxSyncWalBytes;
    return new Outcome(Optional.of(name), false, more, "", map.maxOffset() - start);
  }

  private Outcome fullPage(FileChannel wal, Optional<WalHeader> hdr, int pageSize, String reason) throws IOException {
    TxId txId = pos != null ? pos.txId().next() : base.next();
    WalPageMap map = null;
    long start = 0;
    if (hdr.isPresent() && hdr.get().pageSize() == pageSize) {
      map = WalPageMap.build(WalReader.open(wal, hdr.get()), 0);
      start = WalHeader.SIZE;
    }
    int commit = map != null && map.commit() != 0 ? map.commit() : (int) (db.size() / pageSize);
    if (commit == 0) {
      throw new IOException(dbPath + ": database is empty; nothing to replicate");
    }
    long end = map != null && map.commit() != 0 ? map.maxOffset() : start;
    WalHeader h = hdr.orElse(null);
    LtxHeader header = h == null
        ? header(pageSize, commit, txId, 0, 0, null)
        : header(pageSize, commit, txId, start, end - start, h);
    LtxFileName name = LtxFileName.of(txId, txId);
    Map<Integer, Long> pages = map == null ? Map.of() : map.pages();
    int lock = LtxHeader.lockPgno(pageSize);
    meta.writeL0(name, out -> {
      LtxEncoder enc = new LtxEncoder(out, header, encoderOptions);
      for (int pgno = 1; pgno <= commit; pgno++) {
        if (pgno == lock) {
          continue;
        }
        Long off = pages.get(pgno);
        enc.encodePage(pgno, off != null ? readWalPage(wal, off, pageSize) : readDbPage(pgno, pageSize), 0);
      }
      enc.finish();
    });
    if (h != null) {
      commitPosition(wal, txId, pageSize, commit, end, h);
    } else {
      pos = new Position(txId, pageSize, commit, 0, 0, 0, null);
    }
    return new Outcome(Optional.of(name), true, false, reason, end - start);
  }

  /**
   * Streams a snapshot (TxIds 1..current) of the database exactly as of the current position:
   * WAL frames up to the synced offset over the database file. Call right after a sync, under the
   * same lock, so that the read transaction keeps later frames out of the database file.
   */
  LtxHeader writeSnapshot(java.io.OutputStream out) throws IOException {
    if (pos == null) {
      throw new IOException(dbPath + ": nothing replicated yet; cannot snapshot");
    }
    try (FileChannel wal = openWal()) {
      Map<Integer, Long> pages = Map.of();
      if (pos.walEnd() > WalHeader.SIZE) {
        Optional<WalHeader> hdr = wal == null ? Optional.empty() : WalHeader.read(wal);
        if (hdr.isEmpty() || hdr.get().salt1() != pos.salt1() || hdr.get().salt2() != pos.salt2()) {
          throw new IOException(dbPath + ": wal changed generation since the last sync; retry the snapshot");
        }
        WalPageMap map = WalPageMap.build(WalReader.open(wal, hdr.get()), pos.walEnd() - WalHeader.SIZE);
        if (map.maxOffset() != pos.walEnd()) {
          throw new IOException(dbPath + ": wal offset " + pos.walEnd() + " is not a commit boundary (found "
              + map.maxOffset() + "); retry the snapshot");
        }
        pages = map.pages();
      }
      int pageSize = pos.pageSize();
      int commit = pos.commit();
      LtxHeader header = new LtxHeader(LtxHeader.FLAG_NO_CHECKSUM, pageSize, commit, TxId.ONE, pos.txId(),
          clock.millis(), 0, 0, 0, 0, 0, 0);
      int lock = LtxHeader.lockPgno(pageSize);
      LtxEncoder enc = new LtxEncoder(out, header, encoderOptions);
      for (int pgno = 1; pgno <= commit; pgno++) {
        if (pgno == lock) {
          continue;
        }
        Long off = pages.get(pgno);
        enc.encodePage(pgno, off != null ? readWalPage(wal, off, pageSize) : readDbPage(pgno, pageSize), 0);
      }
      enc.finish();
      return header;
    }
  }

  private void commitPosition(FileChannel wal, TxId txId, int pageSize, int commit, long walEnd, WalHeader h)
      throws IOException {
    byte[] last = walEnd > WalHeader.SIZE ? readWalFrameHeader(wal, walEnd, pageSize).orElse(null) : null;
    pos = new Position(txId, pageSize, commit, walEnd, h.salt1(), h.salt2(), last);
    ownGeneration = null;
    acceptFreshGeneration = false;
    forceFullReason = null;
    base = TxId.ZERO;
  }

  private LtxHeader header(int pageSize, int commit, TxId txId, long walOffset, long walSize, WalHeader h) {
    return new LtxHeader(LtxHeader.FLAG_NO_CHECKSUM, pageSize, commit, txId, txId, clock.millis(), 0,
        walOffset, walSize, h == null ? 0 : h.salt1(), h == null ? 0 : h.salt2(), 0);
  }

  private static int frameSize(int pageSize) {
    return FRAME_HEADER + pageSize;
  }

  private FileChannel openWal() throws IOException {
    try {
      return FileChannel.open(walPath, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private Optional<byte[]> readWalFrameHeader(long walEnd, int pageSize) throws IOException {
    try (FileChannel wal = openWal()) {
      return wal == null ? Optional.empty() : readWalFrameHeader(wal, walEnd, pageSize);
    }
  }

  /** The 24-byte header of the frame that ends at {@code walEnd}. */
  private static Optional<byte[]> readWalFrameHeader(FileChannel wal, long walEnd, int pageSize) throws IOException {
    long off = walEnd - frameSize(pageSize);
    if (off < WalHeader.SIZE) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.allocate(FRAME_HEADER);
    if (!readFully(wal, b, off)) {
      return Optional.empty();
    }
    return Optional.of(b.array());
  }

  private byte[] readWalPage(long frameOffset, int pageSize) throws IOException {
    try (FileChannel wal = openWal()) {
      return wal == null ? null : readWalPage(wal, frameOffset, pageSize).clone();
    }
  }

  private byte[] readWalPage(FileChannel wal, long frameOffset, int pageSize) throws IOException {
    byte[] buf = buffer(pageSize);
    if (!readFully(wal, ByteBuffer.wrap(buf), frameOffset + FRAME_HEADER)) {
      throw new IOException(walPath + ": frame at offset " + frameOffset + " vanished while syncing");
    }
    return buf;
  }

  /** A database page through the one long-lived descriptor; zeros past the end of the file. */
  private byte[] readDbPage(int pgno, int pageSize) throws IOException {
    byte[] buf = buffer(pageSize);
    ByteBuffer b = ByteBuffer.wrap(buf);
    long off = (long) (pgno - 1) * pageSize;
    while (b.hasRemaining()) {
      int n = db.read(b, off + b.position());
      if (n < 0) {
        Arrays.fill(buf, b.position(), buf.length, (byte) 0);
        break;
      }
    }
    return buf;
  }

  private byte[] buffer(int pageSize) {
    if (pageBuf.length != pageSize) {
      pageBuf = new byte[pageSize];
    }
    return pageBuf;
  }

  private static boolean readFully(FileChannel ch, ByteBuffer b, long off) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, off + b.position());
      if (n < 0) {
        return false;
      }
    }
    return true;
  }
}
