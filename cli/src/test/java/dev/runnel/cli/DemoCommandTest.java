package dev.runnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void demo_inEmptyDir_replicatesRestoresAndVerifies() {
    Path dir = tmp.resolve("demo");
    CliRun r = CliRun.of("demo", "-dir", dir.toString(), "-rows", "400");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("OK: "), r.out());
    assertTrue(Files.exists(dir.resolve("restored-latest.db")));
    assertTrue(Files.isDirectory(dir.resolve("replica/ltx/0")));
    assertTrue(Files.isDirectory(dir.resolve("replica/ltx/9")));
  }

  @Test
  void demo_dirAlreadyUsed_refuses() throws Exception {
    Path dir = tmp.resolve("used");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("app.db"), "x");
    CliRun r = CliRun.of("demo", "-dir", dir.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("already holds a demo"), r.err());
  }
}
