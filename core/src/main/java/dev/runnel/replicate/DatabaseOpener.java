package dev.runnel.replicate;

import dev.runnel.ltx.LtxEncoder;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.wal.WalHeader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * Starting replication of a database file: checks the file, opens Runnel's SQLite session and the
 * page-read descriptor in the order the POSIX-lock hazard requires, and decides where the TxIds
 * continue from (clean-state record, local L0 files, the replica's highest TxId), per the
 * "database behind replica" and missing-TxIds rules of the capture spec.
 */
final class DatabaseOpener {
  private static final System.Logger LOG = System.getLogger(ReplicatedDatabase.class.getName());

  private DatabaseOpener() {}

  /**
   * {@link ReplicatedDatabase#open} and {@link ReplicatedDatabase#openRestored}: {@code restoredAt}
   * non-null for a fresh restore; {@code knownReplicaMax} null: list the replica.
   */
  static ReplicatedDatabase open(Path db, ReplicaClient replica, ReplicationOptions options,
      ReplicationRuntime runtime, TxId restoredAt, TxId knownReplicaMax) throws IOException {
    Path path = db.toAbsolutePath().normalize();
    checkSqliteFile(path);
    MetaDirectory meta = new MetaDirectory(options.metaPath().orElseGet(() -> MetaDirectory.defaultFor(path)));
    meta.init();
    Path walPath = path.resolveSibling(path.getFileName() + "-wal");
    Optional<TxId> clean;
    if (restoredAt != null) {
      // The database file is a fresh restore: L0 files of an earlier life describe another file.
      meta.takeCleanState(path);
      if (!meta.listL0().isEmpty()) {
        meta.deleteAllL0();
      }
      clean = Optional.of(restoredAt);
    } else {
      clean = meta.takeCleanState(path);
    }
    if (clean.isPresent() && Files.exists(walPath) && Files.size(walPath) > WalHeader.SIZE) {
      clean = Optional.empty(); // someone wrote to the WAL since the clean shutdown
    }
    replica.init();
    TxId remoteMax = knownReplicaMax != null ? knownReplicaMax : remoteMaxTxId(replica);

    // The one long-lived descriptor, opened before SQLite and closed after it.
    FileChannel dbFile = FileChannel.open(path, StandardOpenOption.READ);
    SqliteSession session = null;
    try {
      session = SqliteSession.open(path, options.busyTimeout());
      int pageSize = session.pageSize();
      if (!Files.exists(walPath) || Files.size(walPath) <= WalHeader.SIZE) {
        session.bumpSeq(); // give the WAL a frame so the read transaction pins a real read mark
      }
      session.acquireReadLock();
      WalCapture capture = new WalCapture(path, dbFile, meta, runtime.clock(), options.maxSyncWalBytes(),
          LtxEncoder.Options.DEFAULT);
      boolean needSnapshot = false;
      dropDamagedLocalFiles(meta, remoteMax, path);
      List<LtxFileName> local = meta.listL0();
      TxId localMax = local.isEmpty() ? TxId.ZERO : local.get(local.size() - 1).max();
      if (clean.isPresent() && clean.get().equals(remoteMax) && !localMax.isAfter(remoteMax)) {
        capture.startFromCleanState(clean.get(), pageSize, (int) (dbFile.size() / pageSize));
      } else if (remoteMax.isAfter(localMax)) {
        meta.deleteAllL0();
        capture.resetTo(remoteMax, "database behind replica (local " + localMax + ", replica " + remoteMax + ")");
      } else if (!local.isEmpty()) {
        TxId firstPending = local.stream().filter(n -> n.max().isAfter(remoteMax)).map(LtxFileName::min)
            .findFirst().orElse(localMax.next());
        if (remoteMax.isZero() && !local.get(0).min().equals(TxId.ONE)) {
          meta.deleteAllL0();
          capture.resetTo(TxId.ZERO, "replica is empty; starting a new history");
        } else if (firstPending.compareTo(remoteMax.next()) > 0) {
          // Files the replica should hold are gone (deleted by hand, or an older replica put back).
          // Continue the TxIds and put a fresh base under them: a full-page L0, then a snapshot.
          meta.deleteAllL0();
          capture.resetTo(localMax, "replica misses TxIds " + remoteMax.next() + ".." + firstPending.previous());
          needSnapshot = true;
        } else {
          capture.recover(meta.l0Path(local.get(local.size() - 1)));
        }
      }
      ReplicatedDatabase rdb = new ReplicatedDatabase(path, replica, options, runtime, meta, dbFile, session,
          pageSize, capture, remoteMax);
      if (needSnapshot) {
        rdb.snapshot();
      }
      rdb.requestSync();
      return rdb;
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        try {
          session.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      dbFile.close();
      throw e;
    }
  }

  /**
   * Local L0 files are written without fsync, so after a power loss one may be empty or partial.
   * Verifies the ones that matter (not yet in the replica, and the newest, which is the position)
   * and deletes a damaged file together with every later one; what they held is still in the WAL
   * or the database file, and the next sync re-captures it (full-page if needed).
   */
  private static void dropDamagedLocalFiles(MetaDirectory meta, TxId remoteMax, Path db) throws IOException {
    List<LtxFileName> local = meta.listL0();
    for (int i = 0; i < local.size(); i++) {
      LtxFileName n = local.get(i);
      if (!n.max().isAfter(remoteMax) && i != local.size() - 1) {
        continue;
      }
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(meta.l0Path(n)), 64 * 1024)) {
        dev.runnel.ltx.LtxDecoder.verify(in, n.toString());
      } catch (IOException e) {
        LOG.log(Level.WARNING, "{0}: local file {1} is damaged ({2}); dropping it and {3} later file(s)", db, n,
            e.getMessage(), local.size() - i - 1);
        for (int j = i; j < local.size(); j++) {
          meta.deleteL0(local.get(j));
        }
        return;
      }
    }
  }

  static Object fileKey(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private static void checkSqliteFile(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "database does not exist");
    }
    long size = Files.size(path);
    if (size == 0) {
      return; // a brand-new database; SQLite initialises it
    }
    byte[] head = new byte[16];
    // Reading the header before SQLite opens the file is safe: no locks exist yet to lose.
    try (InputStream in = Files.newInputStream(path)) {
      if (in.readNBytes(head, 0, 16) < 16 || !new String(head, 0, 15, java.nio.charset.StandardCharsets.US_ASCII)
          .equals("SQLite format 3")) {
        throw new IOException(path + ": not an SQLite database (bad header)");
      }
    }
  }

  /** The highest TxId in any level of the replica (one {@link ReplicaClient#listAllLevels()}). */
  private static TxId remoteMaxTxId(ReplicaClient replica) throws IOException {
    TxId max = TxId.ZERO;
    for (List<LtxFileInfo> files : replica.listAllLevels().values()) {
      for (LtxFileInfo info : files) {
        max = TxId.max(max, info.maxTxId());
      }
    }
    return max;
  }

}
