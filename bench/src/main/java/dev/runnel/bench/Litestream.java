package dev.runnel.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real Litestream 0.3.13 binary as a benchmark baseline: one {@code litestream replicate DB
 * file://DIR} process beside a writer, and {@code litestream restore}.
 *
 * <p>The binary comes from {@code npm pack @flydotio/litestream-linux-x64}; {@code bench/run}
 * fetches it once into {@code bench/.cache/package/litestream} and passes its
 * path with {@code --litestream PATH}. Not thread-safe; one instance per binary.
 */
final class Litestream {

  /** Where the bench scripts unpack the npm package, relative to the project root. */
  static final Path DEFAULT_BINARY = Path.of("bench/.cache/package/litestream");

  private final Path binary;
  private final String version;

  private Litestream(Path binary, String version) {
    this.binary = binary;
    this.version = version;
  }

  /**
   * The binary at {@code path} (or {@link #DEFAULT_BINARY} when empty), or null when it is not an
   * executable — callers then print that the baseline was skipped.
   */
  static Litestream find(String path) {
    Path p = path == null || path.isEmpty() ? DEFAULT_BINARY : Path.of(path);
    if (!Files.isExecutable(p)) {
      return null;
    }
    try {
      Process v = new ProcessBuilder(p.toString(), "version").redirectErrorStream(true).start();
      String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      v.waitFor(10, TimeUnit.SECONDS);
      return new Litestream(p.toAbsolutePath(), out);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  Path binary() {
    return binary;
  }

  /** {@code litestream version} output, e.g. {@code v0.3.13}. */
  String version() {
    return version;
  }

  /**
   * Starts {@code litestream replicate DB file://REPLICA} with default settings (1 s sync interval),
   * output to {@code log}. The process runs until {@link Replicator#close()}.
   */
  Replicator replicate(Path db, Path replicaDir, Path log) throws IOException {
    Process p = new ProcessBuilder(binary.toString(), "replicate", db.toString(), "file://" + replicaDir)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Replicator(p, replicaDir);
  }

  /**
   * Starts {@code litestream replicate -config CONFIG} (for settings other than the defaults), output
   * to {@code log}.
   */
  Replicator replicateWithConfig(Path config, Path replicaDir, Path log) throws IOException {
    Process p = new ProcessBuilder(binary.toString(), "replicate", "-config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Replicator(p, replicaDir);
  }

  /** {@code litestream restore -o OUT file://REPLICA}; fails on a non-zero exit. */
  void restore(Path replicaDir, Path out) throws IOException, InterruptedException {
    Harness.exec(binary.toString(), "restore", "-o", out.toString(), "file://" + replicaDir);
  }

  /**
   * Starts a replicate process and blocks until it logs "replicating to" (its own notion of being
   * up); the process output is consumed here, so the returned process must not be read again.
   */
  Process replicateUntilRunning(Path db, Path replicaDir, Duration timeout) throws IOException {
    Process rep = new ProcessBuilder(binary.toString(), "replicate", db.toString(), "file://" + replicaDir)
        .redirectErrorStream(true).start();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (BufferedReader br = new BufferedReader(new InputStreamReader(rep.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (System.nanoTime() < deadline && (line = br.readLine()) != null) {
        if (line.contains("replicating to")) {
          return rep;
        }
      }
    }
    rep.destroyForcibly();
    throw new IllegalStateException("litestream replicate " + db + " did not log 'replicating to'");
  }

  /** A running {@code litestream replicate} process. {@link #close()} is idempotent. */
  static final class Replicator implements AutoCloseable {
    private final Process process;
    private final Path replicaDir;

    private Replicator(Process process, Path replicaDir) {
      this.process = process;
      this.replicaDir = replicaDir;
    }

    Process process() {
      return process;
    }

    long pid() {
      return process.pid();
    }

    /** Waits until Litestream has written its first snapshot (it is then replicating). */
    Replicator awaitSnapshot(Duration timeout) throws IOException {
      awaitSnapshotIn(replicaDir, timeout);
      return this;
    }

    /** SIGTERM (Litestream does a final sync on it), then SIGKILL after 10 s. */
    @Override
    public void close() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits until a Litestream 0.3 file replica holds a finished snapshot file. */
  static void awaitSnapshotIn(Path replica, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(replica)) {
        try (Stream<Path> s = Files.walk(replica)) {
          if (s.anyMatch(p -> p.toString().contains("/snapshots/") && Files.isRegularFile(p)
              && !p.getFileName().toString().endsWith(".tmp"))) {
            return;
          }
        } catch (java.io.UncheckedIOException e) {
          // a file vanished while walking (Litestream renames temp files); look again
        }
      }
      Harness.sleepMs(20);
    }
    throw new IllegalStateException("litestream wrote no snapshot to " + replica + " within " + timeout);
  }
}
