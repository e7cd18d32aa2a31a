package dev.runnel.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConnection;

/**
 * {@link TableSchema}s already loaded, so that a request does not query {@code sqlite_master} and
 * {@code pragma_table_info} every time (the profile put that at about 12 % of a GET's CPU).
 *
 * <p>Never stale: an entry is keyed by the underlying SQLite connection (the object itself, not a
 * tenant name, so a tenant evicted and opened again, restored or re-created, never finds the old
 * entries: its connections are new objects) and remembers the database's {@code PRAGMA
 * schema_version}, which SQLite bumps on every schema change by any connection; every lookup reads
 * it on the connection the request then uses and reloads on a mismatch. Only the allow-list check
 * and the lookup of identifiers in the returned schema stay per request, as before.
 *
 * <p>Bounded: at most {@code maxEntries} (connection, table) entries, least recently used dropped
 * first, so memory stays flat however many tenants come and go. Thread-safe.
 */
final class SchemaCache {
  /** Default bound: a few hundred hot tenants' readers × a handful of tables. */
  static final int DEFAULT_MAX_ENTRIES = 4096;

  private record Key(SQLiteConnection connection, String table) {}

  private record Cached(int schemaVersion, TableSchema schema) {}

  private final int maxEntries;
  private final Map<Key, Cached> entries;
  private long hits;
  private long misses;

  SchemaCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.entries = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
        return size() > SchemaCache.this.maxEntries;
      }
    };
  }

  /**
   * {@link TableSchema#load}, from the cache when the database's schema has not changed since.
   *
   * @throws ApiException 404 (PGRST205) if the table does not exist or is not exposed
   */
  TableSchema load(Connection c, String table, Set<String> allowList) throws SQLException, ApiException {
    if (!TableSchema.exposed(table, allowList)) {
      throw TableSchema.notFound(table);
    }
    Key key = new Key(c.unwrap(SQLiteConnection.class), table);
    // The version is read before the schema, on the same connection: a schema change in between
    // can only file a newer schema under an older version (a needless reload next time), never an
    // older schema under a newer version.
    int version = schemaVersion(c);
    synchronized (this) {
      Cached e = entries.get(key);
      if (e != null && e.schemaVersion() == version) {
        hits++;
        return e.schema();
      }
      misses++;
    }
    // Loaded outside the lock: the connection is this request's alone, other requests go on.
    TableSchema loaded = TableSchema.load(c, table, allowList);
    synchronized (this) {
      entries.put(key, new Cached(version, loaded));
    }
    return loaded;
  }

  /** Number of cached (connection, table) entries. */
  synchronized int size() {
    return entries.size();
  }

  /** Lookups answered from the cache, and lookups that loaded (for tests and metrics). */
  synchronized long[] hitsAndMisses() {
    return new long[] {hits, misses};
  }

  private static int schemaVersion(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("PRAGMA schema_version"); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("PRAGMA schema_version returned no row");
      }
      return rs.getInt(1);
    }
  }
}
