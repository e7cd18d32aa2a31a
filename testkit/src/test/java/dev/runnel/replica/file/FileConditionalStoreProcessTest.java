package dev.runnel.replica.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.testkit.Concurrently;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented cross-process guarantee: several JVMs on one host, each with several threads,
 * increment one counter object by compare-and-swap. A lost update (two processes replacing from
 * the same etag) would leave the counter short.
 */
class FileConditionalStoreProcessTest {
  private static final int PROCESSES = 3;
  private static final int THREADS = 4;
  private static final int INCREMENTS = 40;

  @TempDir
  Path tmp;

  /** Child process: {@code <root> <threads> <increments>}. */
  public static void main(String[] args) throws Exception {
    ConditionalStore s = FileReplicaClient.create(Path.of(args[0])).conditionalStore().orElseThrow();
    int threads = Integer.parseInt(args[1]);
    int increments = Integer.parseInt(args[2]);
    Concurrently.run(threads, t -> {
      for (int i = 0; i < increments; i++) {
        increment(s);
      }
      return null;
    });
  }

  static void increment(ConditionalStore s) throws Exception {
    while (true) {
      var v = s.read("counter").orElseThrow();
      long n = Long.parseLong(new String(v.data(), StandardCharsets.UTF_8));
      if (s.replaceIfUnchanged("counter", Long.toString(n + 1).getBytes(StandardCharsets.UTF_8), v.etag())) {
        return;
      }
    }
  }

  @Test
  void replaceIfUnchanged_severalProcessesIncrementing_losesNoUpdate() throws Exception {
    Path root = tmp.resolve("replica");
    ConditionalStore s = FileReplicaClient.create(root).conditionalStore().orElseThrow();
    s.createIfAbsent("counter", "0".getBytes(StandardCharsets.UTF_8));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int p = 0; p < PROCESSES; p++) {
      children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          FileConditionalStoreProcessTest.class.getName(), root.toString(),
          Integer.toString(THREADS), Integer.toString(INCREMENTS))
          .redirectErrorStream(true)
          .redirectOutput(tmp.resolve("child-" + p + ".log").toFile())
          .start());
    }
    // This JVM takes part too, so in-JVM and cross-process contention mix.
    Concurrently.run(THREADS, t -> {
      for (int i = 0; i < INCREMENTS; i++) {
        increment(s);
      }
      return null;
    });
    for (int p = 0; p < PROCESSES; p++) {
      Process child = children.get(p);
      if (!child.waitFor(120, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      File log = tmp.resolve("child-" + p + ".log").toFile();
      assertEquals(0, child.exitValue(), () -> "child failed: " + readQuietly(log));
    }
    long expected = (long) (PROCESSES + 1) * THREADS * INCREMENTS;
    assertEquals(Long.toString(expected), new String(s.read("counter").orElseThrow().data(), StandardCharsets.UTF_8));
  }

  private static String readQuietly(File f) {
    try {
      return java.nio.file.Files.readString(f.toPath());
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
