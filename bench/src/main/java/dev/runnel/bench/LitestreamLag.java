package dev.runnel.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4FrameInputStream;
import org.sqlite.SQLiteConfig;

/**
 * LagBench's Litestream 0.3.13 side: the same fixed-rate marked writer ({@link LagBench#writeAtRate})
 * on a bare connection with a {@code litestream replicate DB file://DIR} process beside it at
 * default settings. A poller lists the replica's WAL segments
 * ({@code generations/<gen>/wal/<index>_<offset>.wal.lz4} in 0.3.13; older 0.3 releases used
 * {@code wal/<index>/<offset>.wal.lz4}, also accepted) every
 * millisecond and records when each final name first appears; afterwards every segment is
 * decompressed and scanned for markers, so commit i is visible when the first segment whose largest
 * marker is ≥ i appeared. Then the litestream process's CPU is read over an idle window.
 */
final class LitestreamLag {
  private LitestreamLag() {}

  /** Returns {fileLagMs[], {segments used, idle CPU % of a core}}. */
  static double[][] once(Litestream ls, String synchronous, int commits, int rate, int idleSeconds) throws Exception {
    Path dir = Harness.tempDir("lag-litestream");
    Path db = dir.resolve("bench.db");
    Path replica = dir.resolve("replica");
    try {
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setBusyTimeout(5000);
      Harness.createWalDb(db);
      long[] commitDone = new long[commits + 1];
      Map<String, Long> seen = new ConcurrentHashMap<>();
      double idleCpu;
      try (Litestream.Replicator rep = ls.replicate(db, replica, dir.resolve("litestream.log"))
          .awaitSnapshot(Duration.ofSeconds(30))) {
        Thread poller = Thread.ofPlatform().name("bench-ls-poll").start(() -> poll(replica, seen));
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db)) {
          LagBench.writeAtRate(c, synchronous, rate, commitDone);
        }
        Harness.sleepMs(2500); // two of Litestream's 1 s sync ticks
        poller.interrupt();
        poller.join();
        double cpu0 = Harness.processCpuMs(rep.pid());
        long t0 = System.nanoTime();
        Harness.sleepMs(idleSeconds * 1000L);
        idleCpu = 100.0 * (Harness.processCpuMs(rep.pid()) - cpu0) / Harness.ms(System.nanoTime() - t0);
      }
      TreeMap<String, Integer> maxMarker = new TreeMap<>();
      for (String name : seen.keySet()) {
        maxMarker.put(name, maxMarkerIn(replica, name));
      }
      List<Map.Entry<String, Integer>> files = new ArrayList<>(maxMarker.entrySet());
      double[] lag = new double[commits];
      int fi = 0;
      for (int i = 1; i <= commits; i++) {
        while (fi < files.size() && files.get(fi).getValue() < i) {
          fi++;
        }
        if (fi == files.size()) {
          throw new IllegalStateException("commit " + i + " not found in any Litestream WAL segment in " + replica);
        }
        lag[i - 1] = Math.max(0, Harness.ms(seen.get(files.get(fi).getKey()) - commitDone[i]));
      }
      long used = files.stream().filter(e -> e.getValue() >= 1).count();
      return new double[][] {lag, {used, idleCpu}};
    } finally {
      Harness.deleteTree(dir);
    }
  }

  /** Records the first-seen time of every finished WAL segment, keyed by its path below {@code wal/}. */
  private static void poll(Path replica, Map<String, Long> seen) {
    Path generations = replica.resolve("generations");
    while (!Thread.currentThread().isInterrupted()) {
      long now = System.nanoTime();
      if (Files.isDirectory(generations)) {
        try (Stream<Path> s = Files.walk(generations)) {
          s.filter(p -> p.getFileName().toString().endsWith(".wal.lz4")).forEach(p -> seen.putIfAbsent(key(p), now));
        } catch (IOException | UncheckedIOException e) {
          // a temp file was renamed while walking; the next pass sees the result
        }
      }
      Harness.sleepMsQuietly(1);
    }
  }

  /** "index_offset.wal.lz4" or "index/offset.wal.lz4": zero-padded hex, so names sort in WAL order. */
  private static String key(Path segment) {
    Path p = segment;
    while (p.getParent() != null && !p.getParent().getFileName().toString().equals("wal")) {
      p = p.getParent();
    }
    return p.getParent() == null ? segment.toString() : p.getParent().relativize(segment).toString();
  }

  private static int maxMarkerIn(Path replica, String key) throws IOException {
    Path file;
    try (Stream<Path> gens = Files.list(replica.resolve("generations"))) {
      file = gens.map(g -> g.resolve("wal").resolve(key)).filter(Files::exists).findFirst()
          .orElseThrow(() -> new IllegalStateException("segment " + key + " vanished from " + replica));
    }
    try (InputStream in = new LZ4FrameInputStream(Files.newInputStream(file))) {
      byte[] wal = in.readAllBytes();
      return LagBench.maxMarker(wal, wal.length);
    }
  }
}
