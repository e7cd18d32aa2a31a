package dev.runnel.restore.v3;

import dev.runnel.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Copies a {@code testdata/litestream-0.3/<set>} fixture to a temp dir and restores the file
 * mtimes 0.3 depends on (git does not keep them) from the set's {@code mtimes.tsv}.
 */
final class V3Fixtures {
  private V3Fixtures() {}

  /** The fixture set in the repository (read-only use). */
  static Path source(String set) {
    return TestData.path("litestream-0.3", set);
  }

  /** Copies {@code <set>/replica} and {@code <set>/mtimes.tsv} into {@code dir}, mtimes unset. */
  static Path copy(String set, Path dir) throws IOException {
    Path src = source(set);
    Path dst = dir.resolve(set);
    try (Stream<Path> walk = Files.walk(src.resolve("replica"))) {
      for (Path p : walk.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    Files.copy(src.resolve("mtimes.tsv"), dst.resolve("mtimes.tsv"));
    return dst;
  }

  /** Copies the set and applies {@code mtimes.tsv}; returns the copied set directory. */
  static Path copyWithMtimes(String set, Path dir) throws IOException {
    Path dst = copy(set, dir);
    applyMtimes(dst);
    return dst;
  }

  /** Sets each listed file's mtime (column 2: nanoseconds since the epoch). */
  static void applyMtimes(Path setDir) throws IOException {
    List<String> lines = Files.readAllLines(setDir.resolve("mtimes.tsv"));
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      long nanos = Long.parseLong(f[1]);
      Path file = setDir.resolve(f[0]);
      if (!Files.isRegularFile(file)) {
        throw new IOException("mtimes.tsv names a missing file: " + f[0]);
      }
      Files.setLastModifiedTime(file, FileTime.from(nanos, TimeUnit.NANOSECONDS));
      Instant want = Instant.ofEpochSecond(0, nanos);
      Instant got = Files.getLastModifiedTime(file).toInstant();
      // Some file systems keep only microseconds or seconds; the fixture times are far enough
      // apart that this does not change any decision, but say so if it happens.
      if (Math.abs(got.toEpochMilli() - want.toEpochMilli()) > 1000) {
        throw new IOException("file system did not keep mtime of " + file + ": " + got);
      }
    }
  }

  /** Gives every regular file under {@code dir} the same mtime. */
  static void setAllMtimes(Path dir, Instant t) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(t));
      }
    }
  }

  static Path replica(Path setDir) {
    return setDir.resolve("replica");
  }

  static Path restored(String set, String name) {
    return source(set).resolve("restored").resolve(name);
  }

  static Path wal(Path setDir, String gen, String name) {
    return replica(setDir).resolve("generations").resolve(gen).resolve("wal").resolve(name);
  }

  static Path snapshot(Path setDir, String gen, String name) {
    return replica(setDir).resolve("generations").resolve(gen).resolve("snapshots")
        .resolve(name);
  }
}
