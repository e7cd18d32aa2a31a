package dev.runnel.cli;

import dev.runnel.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Copies a {@code testdata/litestream-0.3} set and applies its {@code mtimes.tsv} (git keeps no mtimes). */
final class V3FixtureCopy {
  private V3FixtureCopy() {}

  static Path source(String set) {
    return Fixtures.path("litestream-0.3", set);
  }

  /** Returns the copied replica root (the directory holding {@code generations/}). */
  static Path replica(String set, Path dir) throws IOException {
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
    for (String line : Files.readAllLines(src.resolve("mtimes.tsv"))) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      Files.setLastModifiedTime(dst.resolve(f[0]), FileTime.from(Long.parseLong(f[1]), TimeUnit.NANOSECONDS));
    }
    return dst.resolve("replica");
  }

  static Path restored(String set, String name) {
    return source(set).resolve("restored").resolve(name);
  }
}
