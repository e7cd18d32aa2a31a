package dev.runnel.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads the WAL of a database that sqlite-jdbc is writing and checks that the committed pages
 * reproduce exactly what SQLite reads: main file (as of the last checkpoint) + page map.
 *
 * <p>POSIX lock hazard (spec capture.md §9): the main database file is read only through one
 * channel opened before the first connection and closed after the last; the {@code -wal} file is
 * opened per read, which is safe.
 */
class WalLiveTest {
  private static final long SEED = 0x5EED_2025L;
  private static final int STEPS = 160;

  @TempDir Path tmp;

  private Random rnd;
  private int pageSize;
  private Path db;
  private FileChannel main;
  private Connection a;
  private Connection b;
  private final List<String> tables = new ArrayList<>();
  private int nextTable;
  private int nextId = 1;
  private int verifications;
  private int rebuilds;
  /** Position recorded at the previous verification, for the resume cross-check. */
  private Snapshot prev;
  private int saltChanges;
  /** Verifications that found valid uncommitted frames after the last commit (spilled pages). */
  private int uncommittedTails;
  private int transactionsSeen;
  private int resumeChecks;

  private record Snapshot(int salt1, int salt2, long maxOffset, Map<Integer, Long> pages, int commit) {}

  @ParameterizedTest(name = "page size {0}")
  @ValueSource(ints = {1024, 4096, 65536})
  void pageMap_randomWorkload_rebuildMatchesLiveDatabase(int pageSize) throws Exception {
    long seed = SEED ^ pageSize;
    this.rnd = new Random(seed);
    this.pageSize = pageSize;
    this.db = tmp.resolve("live.db");
    int step = -1;
    String lastOp = "setup";
    Files.createFile(db);
    main = FileChannel.open(db, StandardOpenOption.READ);
    try {
      create();
      for (step = 0; step < STEPS; step++) {
        lastOp = randomOp();
        if (rnd.nextInt(3) == 0 || lastOp.startsWith("rollback") || lastOp.startsWith("checkpoint")) {
          verify();
        }
      }
      lastOp = "final";
      verify();
      assertTrue(verifications > 30, "verifications " + verifications);
      assertTrue(transactionsSeen > 50, "transactions seen in WAL " + transactionsSeen);
      assertTrue(resumeChecks > 10, "resume checks " + resumeChecks);
      assertTrue(saltChanges > 3, "WAL restarts seen " + saltChanges);
      assertTrue(uncommittedTails > 3, "uncommitted WAL tails seen " + uncommittedTails);
      System.out.printf(
          "page size %d: %d verifications, %d rebuilds, %d transactions, %d resume checks, %d WAL restarts, %d uncommitted tails%n",
          pageSize, verifications, rebuilds, transactionsSeen, resumeChecks, saltChanges, uncommittedTails);
    } catch (Throwable t) {
      System.err.printf("WalLiveTest failed: seed=%d pageSize=%d step=%d op=%s%n", seed, pageSize, step, lastOp);
      throw new AssertionError(
          "seed=" + seed + " pageSize=" + pageSize + " step=" + step + " op=" + lastOp + ": " + t, t);
    } finally {
      closeQuietly(a);
      closeQuietly(b);
      main.close(); // only after every connection has closed the database
    }
  }

  private void create() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      LiveDb.exec(c, "PRAGMA page_size=" + pageSize);
      LiveDb.exec(c, "CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
      assertEquals("wal", LiveDb.queryString(c, "PRAGMA journal_mode=WAL"));
      assertEquals(Integer.toString(pageSize), LiveDb.queryString(c, "PRAGMA page_size"));
    }
    a = openConn();
    newTable();
  }

  private Connection openConn() throws SQLException {
    // A tiny cache makes SQLite spill uncommitted pages into the WAL mid-transaction.
    return LiveDb.open(db.toString(), rnd.nextInt(4) == 0 ? 5 : 2000);
  }

  private Connection writer() throws SQLException {
    if (a == null) {
      a = openConn();
    }
    return b != null && rnd.nextBoolean() ? b : a;
  }

  private String randomOp() throws Exception {
    int r = rnd.nextInt(100);
    Connection c = writer();
    if (r < 30) {
      insert(c, 1 + rnd.nextInt(20));
      return "insert";
    } else if (r < 42) {
      LiveDb.exec(c, "UPDATE " + table() + " SET a = a + 1, b = b || 'u' WHERE id % " + (2 + rnd.nextInt(7)) + " = " + rnd.nextInt(2));
      updateBlobs(c);
      return "update";
    } else if (r < 50) {
      LiveDb.exec(c, "DELETE FROM " + table() + " WHERE id % " + (2 + rnd.nextInt(5)) + " = 0 AND id > " + rnd.nextInt(Math.max(1, nextId)));
      return "delete";
    } else if (r < 56) {
      kv(c);
      return "kv";
    } else if (r < 55) {
      boolean commit = rnd.nextBoolean();
      bigTransaction(c, commit);
      return commit ? "big-commit" : "rollback-big";
    } else if (r < 62) {
      spilledTransaction();
      return "rollback-spilled";
    } else if (r < 66) {
      LiveDb.exec(c, "BEGIN IMMEDIATE");
      insert(c, 3);
      LiveDb.exec(c, "ROLLBACK");
      return "rollback-small";
    } else if (r < 74) {
      return schemaChange(c);
    } else if (r < 82) {
      String mode = List.of("PASSIVE", "RESTART", "TRUNCATE").get(rnd.nextInt(3));
      LiveDb.queryString(c, "PRAGMA wal_checkpoint(" + mode + ")");
      return "checkpoint-" + mode;
    } else if (r < 90) {
      if (b == null) {
        b = openConn();
        return "open-b";
      } else if (rnd.nextBoolean()) {
        b.close();
        b = null;
        return "close-b";
      } else {
        a.close();
        a = b;
        b = null;
        return "close-a";
      }
    } else if (r < 93) {
      // Closing the last connection checkpoints and deletes the WAL.
      a.close();
      closeQuietly(b);
      a = null;
      b = null;
      return "close-all";
    } else if (r < 95) {
      LiveDb.exec(c, "VACUUM");
      return "vacuum";
    } else {
      LiveDb.exec(c, "BEGIN IMMEDIATE");
      insert(c, 2);
      kv(c);
      LiveDb.exec(c, "COMMIT");
      return "multi-statement";
    }
  }

  private String table() {
    return tables.get(rnd.nextInt(tables.size()));
  }

  private byte[] blob() {
    int kind = rnd.nextInt(20);
    int n;
    if (kind < 13) {
      n = rnd.nextInt(200);
    } else if (kind < 19) {
      n = rnd.nextInt(pageSize);
    } else {
      n = Math.min(pageSize + rnd.nextInt(2 * pageSize), 150_000); // overflow pages
    }
    byte[] data = new byte[n];
    rnd.nextBytes(data);
    return data;
  }

  private void insert(Connection c, int rows) throws SQLException {
    String t = table();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + "(id, a, b, c) VALUES (?, ?, ?, ?)")) {
      for (int i = 0; i < rows; i++) {
        ps.setInt(1, nextId++);
        ps.setLong(2, rnd.nextLong());
        ps.setString(3, "text-" + rnd.nextInt(1_000_000));
        ps.setBytes(4, blob());
        ps.executeUpdate();
      }
    }
  }

  private void updateBlobs(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table() + " SET c = ? WHERE id % 5 = ?")) {
      ps.setBytes(1, blob());
      ps.setInt(2, rnd.nextInt(5));
      ps.executeUpdate();
    }
  }

  private void kv(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO kv(k, v) VALUES (?, ?)")) {
      for (int i = 0; i < 5; i++) {
        ps.setString(1, "key-" + rnd.nextInt(200));
        ps.setBytes(2, blob());
        ps.executeUpdate();
      }
    }
    if (rnd.nextInt(4) == 0) {
      LiveDb.exec(c, "DELETE FROM kv WHERE k > 'key-" + rnd.nextInt(200) + "'");
    }
  }

  private void bigTransaction(Connection c, boolean commit) throws SQLException {
    LiveDb.exec(c, "BEGIN IMMEDIATE");
    insert(c, 30 + rnd.nextInt(60));
    updateBlobs(c);
    LiveDb.exec(c, commit ? "COMMIT" : "ROLLBACK");
  }

  /**
   * A writer with a 2-page cache spills uncommitted pages into the WAL; the page map must ignore
   * them both while the transaction is open and after it rolls back.
   */
  private void spilledTransaction() throws Exception {
    try (Connection w = LiveDb.open(db.toString(), 2)) {
      LiveDb.exec(w, "BEGIN IMMEDIATE");
      insert(w, 20 + rnd.nextInt(40));
      verify();
      boolean commit = rnd.nextInt(3) == 0;
      LiveDb.exec(w, commit ? "COMMIT" : "ROLLBACK");
    }
  }

  private String schemaChange(Connection c) throws SQLException {
    int r = rnd.nextInt(4);
    if (r == 0 || tables.size() < 2) {
      newTable(c);
      return "create-table";
    } else if (r == 1) {
      String t = table();
      LiveDb.exec(c, "CREATE INDEX IF NOT EXISTS " + t + "_b ON " + t + "(b)");
      return "create-index";
    } else if (r == 2) {
      String t = table();
      LiveDb.exec(c, "ALTER TABLE " + t + " ADD COLUMN x" + rnd.nextInt(1_000_000) + " INTEGER DEFAULT 7");
      return "alter-table";
    } else {
      String t = tables.remove(rnd.nextInt(tables.size()));
      LiveDb.exec(c, "DROP TABLE " + t);
      return "drop-table";
    }
  }

  private void newTable() throws SQLException {
    newTable(a);
  }

  private void newTable(Connection c) throws SQLException {
    String t = "t" + nextTable++;
    LiveDb.exec(c, "CREATE TABLE " + t + "(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c BLOB)");
    tables.add(t);
    insert(c, 5);
  }

  /** Rebuilds the database from main file + WAL page map and compares it with the live one. */
  private void verify() throws Exception {
    verifications++;
    Connection live = a != null ? a : (a = openConn());
    String expected = LiveDb.dump(live);

    // In WAL mode only checkpoints write the main file, and nothing runs concurrently here, so
    // the current main file is the main file as of the last checkpoint.
    byte[] base = readMain();
    byte[] rebuilt;
    Path walPath = Path.of(db + "-wal");
    try (FileChannel wal = FileChannel.open(walPath, StandardOpenOption.READ)) {
      Optional<WalHeader> header = WalHeader.read(wal);
      if (header.isEmpty()) {
        rebuilt = base;
        prev = null;
      } else {
        WalHeader h = header.get();
        assertEquals(pageSize, h.pageSize());
        WalReader reader = WalReader.open(wal, h);
        WalPageMap map = WalPageMap.build(reader, 0);
        if (reader.offset() > map.maxOffset()) {
          uncommittedTails++;
        }
        transactionsSeen += map.transactions();
        crossCheckResume(wal, h, map);
        prev = new Snapshot(h.salt1(), h.salt2(), map.maxOffset(), map.pages(), map.commit());
        rebuilt = WalFixtures.overlay(base, wal, map, pageSize);
      }
    } catch (NoSuchFileException e) {
      rebuilt = base;
      prev = null;
    }

    if (rebuilt.length == 0) {
      assertEquals(0, base.length);
      return;
    }
    rebuilds++;
    Path copy = tmp.resolve("rebuilt-" + pageSize + "-" + verifications + ".db");
    Files.write(copy, rebuilt);
    try (Connection ro = LiveDb.openReadOnly(copy.toString())) {
      assertEquals("ok", LiveDb.queryString(ro, "PRAGMA integrity_check"));
      assertEquals(expected, LiveDb.dump(ro), "rebuilt database content");
    }
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(Path.of(copy + suffix));
    }
  }

  /**
   * Resuming at the previous verification's position and merging must give the same page map
   * as reading the whole WAL, as long as the WAL was not restarted in between. SQLite gives
   * every restarted WAL new salts (salt-1 + 1, or random ones for a new file), so equal header
   * salts mean the same generation.
   */
  private void crossCheckResume(FileChannel wal, WalHeader h, WalPageMap full) throws IOException {
    if (prev == null) {
      return;
    }
    if (prev.salt1() != h.salt1() || prev.salt2() != h.salt2()) {
      saltChanges++;
      return;
    }
    WalReader r =
        WalReader.resume(wal, pageSize, h.bigEndianChecksums(), prev.maxOffset(), prev.salt1(), prev.salt2());
    WalPageMap inc = WalPageMap.build(r, 0);
    TreeMap<Integer, Long> merged = new TreeMap<>(prev.pages());
    merged.putAll(inc.pages());
    int commit = inc.commit() != 0 ? inc.commit() : prev.commit();
    merged.tailMap(commit, false).clear();
    assertEquals(full.pages(), merged, "resumed + previous page map");
    assertEquals(full.maxOffset(), inc.maxOffset(), "resumed maxOffset");
    assertEquals(full.commit(), commit, "resumed commit");
    resumeChecks++;
  }

  private byte[] readMain() throws IOException {
    long size = main.size();
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
    assertTrue(WalReader.readFully(main, buf, 0), "short read of main file");
    return buf.array();
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // best effort at teardown
      }
    }
  }
}
