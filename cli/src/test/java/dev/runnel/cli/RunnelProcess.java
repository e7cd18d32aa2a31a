package dev.runnel.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code runnel} as a separate JVM, as a user runs it: same classes as the jar, real signals
 * ({@link Process#destroy()} sends SIGTERM), output captured to files.
 */
final class RunnelProcess implements AutoCloseable {
  final Process process;
  final Path out;
  final Path err;

  private RunnelProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  static RunnelProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "dev.runnel.cli.Main"));
    cmd.addAll(List.of(args));
    Files.createDirectories(workDir);
    Path out = Files.createTempFile(workDir, "runnel-", ".out");
    Path err = Files.createTempFile(workDir, "runnel-", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("LITESTREAM_CONFIG");
    pb.environment().putAll(env);
    return new RunnelProcess(pb.start(), out, err);
  }

  /** Runs to completion (at most {@code timeout}) and returns the exit code. */
  static RunnelProcess run(Path workDir, Duration timeout, String... args) throws Exception {
    RunnelProcess p = start(workDir, Map.of(), args);
    if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.process.destroyForcibly();
      throw new AssertionError("runnel " + String.join(" ", args) + " did not finish in " + timeout + "\n" + p.output());
    }
    return p;
  }

  int exitCode() {
    return process.exitValue();
  }

  String stdout() {
    try {
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  String stderr() {
    try {
      return Files.readString(err, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  String output() {
    return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
  }

  /** SIGTERM, then waits for the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("runnel did not exit within " + timeout + " of SIGTERM\n" + output());
    }
    return process.exitValue();
  }

  /** Waits until {@code cond} holds, failing with the process output after {@code timeout}. */
  void await(String what, Duration timeout, BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError("runnel exited (" + process.exitValue() + ") while waiting for " + what + "\n"
            + output());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what + "\n" + output());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** Runs the sqlite3 command line tool. */
  static String sqlite(Path db, String sql) throws Exception {
    Process p = new ProcessBuilder("sqlite3", db.toString(), sql).redirectErrorStream(true).start();
    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("sqlite3 " + sql + " failed: " + o);
    }
    return o.trim();
  }

  static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
