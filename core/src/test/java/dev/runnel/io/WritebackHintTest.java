package dev.runnel.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sync_file_range through the foreign function API: really called, errors surface, no harm done. */
class WritebackHintTest {
  @TempDir Path tmp;

  private static boolean linuxJava22() {
    return "Linux".equals(System.getProperty("os.name")) && Runtime.version().feature() >= 22;
  }

  @BeforeEach
  void onlyWhereHintsExist() {
    assumeTrue(linuxJava22(), "writeback hints exist on Linux with Java 22+ only");
  }

  @Test
  void supported_linuxJava22WithNativeAccess_true() {
    // The build and CI run on Linux with JDK 25 and --enable-native-access: a silent fallback to
    // fdatasync there would cost restores their write-behind speed without any error.
    assertTrue(WritebackHint.supported());
  }

  @Test
  void start_dirtyRange_returnsAndLeavesTheBytesAlone() throws Exception {
    Path f = tmp.resolve("data");
    byte[] data = new byte[3 << 20];
    new SplittableRandom(7).nextBytes(data);
    Files.write(f, data);
    try (WritebackHint h = WritebackHint.open(f).orElseThrow()) {
      h.start(0, 1 << 20);
      h.start(1 << 20, 2 << 20);
      h.start(0, 0); // length 0 = to the end of the file
    }
    assertArrayEquals(data, Files.readAllBytes(f));
  }

  @Test
  void start_negativeOffset_kernelRejectsIt() throws Exception {
    // EINVAL from the kernel proves the call reaches it (a stub would accept anything).
    Path f = tmp.resolve("data");
    Files.write(f, new byte[4096]);
    try (WritebackHint h = WritebackHint.open(f).orElseThrow()) {
      IOException e = assertThrows(IOException.class, () -> h.start(-1, 4096));
      assertTrue(e.getMessage().contains("sync_file_range(offset -1, length 4096) returned -1"), e.getMessage());
    }
  }

  @Test
  void open_missingFile_empty() {
    assertTrue(WritebackHint.open(tmp.resolve("absent")).isEmpty());
  }

  @Test
  void close_twice_secondIsNoOpAndStartFails() throws Exception {
    Path f = tmp.resolve("data");
    Files.write(f, new byte[4096]);
    WritebackHint h = WritebackHint.open(f).orElseThrow();
    h.close();
    h.close();
    IOException e = assertThrows(IOException.class, () -> h.start(0, 4096));
    assertTrue(e.getMessage().contains("after close"), e.getMessage());
  }

  /** Child JVM entry point: prints whether hints are supported there. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println("supported=" + WritebackHint.supported());
    }
  }

  @Test
  void supported_nativeAccessNotEnabled_falseWithoutAWarning() throws Exception {
    // A library must not make the JVM print "restricted method" warnings: without the flag, no hints.
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"), Probe.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "child exited");
    assertTrue(out.contains("supported=false"), out);
    assertTrue(!out.contains("WARNING"), out);
  }
}
