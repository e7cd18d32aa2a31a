package dev.runnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the golden files under {@code testdata/} (copied from the reference tools' output). */
public final class TestData {
  private TestData() {}

  /** The {@code testdata} directory: system property {@code runnel.testdata}, else found upward. */
  public static Path dir() {
    String p = System.getProperty("runnel.testdata");
    if (p != null && Files.isDirectory(Paths.get(p))) {
      return Paths.get(p);
    }
    Path d = Paths.get("").toAbsolutePath();
    while (d != null) {
      if (Files.isDirectory(d.resolve("testdata/ltx"))) {
        return d.resolve("testdata");
      }
      d = d.getParent();
    }
    throw new IllegalStateException("testdata directory not found; set -Drunnel.testdata");
  }

  public static Path path(String first, String... more) {
    return dir().resolve(Paths.get(first, more));
  }
}
