package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import dev.runnel.replicate.ReplicationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Shared helpers of the tenant tests. */
final class TenantTesting {
  private TenantTesting() {}

  static final TenantHook SCHEMA = (id, c) -> {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
    }
  };

  /** Fast settings for tests: no background sweep, quick retries, short sync waits. */
  static TenantOptions fastOptions() {
    return TenantOptions.defaults()
        .withSweepInterval(Duration.ofHours(1))
        .withReplication(ReplicationOptions.defaults()
            .withMonitorInterval(Duration.ofMillis(20))
            .withUploadRetryMax(Duration.ofMillis(200))
            .withShutdownSync(Duration.ofSeconds(5), Duration.ofMillis(50)));
  }

  static String fileUrl(Path dir) {
    return "file://" + dir.toAbsolutePath();
  }

  static void insert(TenantHandle h, String v) throws SQLException {
    try (Connection c = h.writer(); PreparedStatement ps = c.prepareStatement("INSERT INTO items (v) VALUES (?)")) {
      ps.setString(1, v);
      ps.executeUpdate();
    }
  }

  static void insert(TenantHandle h, long id, String v) throws SQLException {
    try (Connection c = h.writer();
        PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, v) VALUES (?, ?)")) {
      ps.setLong(1, id);
      ps.setString(2, v);
      ps.executeUpdate();
    }
  }

  static long count(TenantHandle h) throws SQLException {
    try (Connection c = h.reader(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> values(TenantHandle h) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = h.reader(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT v FROM items ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Closes every manager a test built, ignoring failures (a manager that lost leases may fail to flush). */
  static void closeAll(List<TenantDatabases> managers) {
    for (TenantDatabases m : managers) {
      try {
        m.close();
      } catch (Exception ignored) {
        // best effort: the test is over
      }
    }
  }

  /** Open descriptors of this process on files under {@code dir}, by relative path. */
  static Map<String, Integer> descriptorsUnder(Path dir) throws IOException {
    Map<String, Integer> byFile = new TreeMap<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(dir)) {
            byFile.merge(dir.relativize(target).toString(), 1, Integer::sum);
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return byFile;
  }

  /** Open descriptors of this process. */
  static long openDescriptors() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  /** The {@code items} values of {@code tenant} restored (latest) from its replica under {@code replicaRoot}. */
  static List<String> restoredValues(Path replicaRoot, String tenant, Path scratch) throws Exception {
    Path out = scratch.resolve("restored-" + tenant + "-" + System.nanoTime() + ".db");
    try (ReplicaClient r = FileReplicaClient.create(replicaRoot.resolve(tenant))) {
      Restorer.restore(r, RestoreTarget.latest(), out, Restorer.Options.defaults());
    }
    List<String> vals = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT v FROM items ORDER BY id")) {
      while (rs.next()) {
        vals.add(rs.getString(1));
      }
    }
    return vals;
  }

  /** Files (not directories) under {@code dir}, relative, sorted. */
  static List<String> filesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  /** All LTX files of a replica, all levels. */
  static List<LtxFileInfo> allLtx(ReplicaClient r) throws IOException {
    List<LtxFileInfo> out = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      out.addAll(r.list(level));
    }
    return out;
  }

  /** A replica wrapper with counters and a switch that makes writes fail. */
  static class CountingReplica extends ForwardingReplicaClient {
    final ReplicaClient real;
    final AtomicBoolean down;
    final AtomicInteger opens;
    final AtomicInteger writes;
    final AtomicInteger lists = new AtomicInteger();

    CountingReplica(ReplicaClient real, AtomicBoolean down, AtomicInteger opens, AtomicInteger writes) {
      super(real);
      this.real = real;
      this.down = down;
      this.opens = opens;
      this.writes = writes;
    }

    @Override
    public String describe() {
      return "counting(" + real.describe() + ")";
    }

    @Override
    public List<LtxFileInfo> list(int level, TxId seek, boolean exact) throws IOException {
      lists.incrementAndGet();
      return real.list(level, seek, exact);
    }

    /** Level by level through {@link #list}, so that every listing is counted. */
    @Override
    public Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
      return ReplicaClient.listEachLevel(this, false);
    }

    @Override
    public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
      opens.incrementAndGet();
      return real.open(level, min, max, offset, length);
    }

    @Override
    public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
      if (down.get()) {
        throw new IOException("injected: store is down");
      }
      writes.incrementAndGet();
      return real.write(level, min, max, data);
    }
  }
}
