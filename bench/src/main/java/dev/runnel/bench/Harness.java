package dev.runnel.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The small shared harness of the end-to-end engine benchmarks (plain mains, not JMH): argument
 * parsing, machine facts, order statistics, markdown tables, temp directories, process CPU time
 * and /proc readings. Benchmarks are never part of the test run.
 */
final class Harness {
  private Harness() {}

  // ---------------------------------------------------------------- arguments

  /** {@code --key value} and {@code --flag} arguments. */
  static final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] argv) {
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument " + a);
        }
        String key = a.substring(2);
        int eq = key.indexOf('=');
        if (eq >= 0) {
          values.put(key.substring(0, eq), key.substring(eq + 1));
        } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
          values.put(key, argv[++i]);
        } else {
          values.put(key, "true");
        }
      }
    }

    boolean flag(String name) {
      return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    int intValue(String name, int quick, int full) {
      String v = values.get(name);
      return v != null ? Integer.parseInt(v) : (quick() ? quick : full);
    }

    double doubleValue(String name, double quick, double full) {
      String v = values.get(name);
      return v != null ? Double.parseDouble(v) : (quick() ? quick : full);
    }

    String string(String name, String def) {
      return values.getOrDefault(name, def);
    }

    boolean quick() {
      return flag("quick");
    }
  }

  // ---------------------------------------------------------------- machine facts

  static void printHeader(String title) {
    System.out.println("# " + title);
    System.out.println();
    System.out.println("command: `" + command() + "`");
    System.out.println();
    System.out.println(machineFacts());
    System.out.println();
  }

  static String command() {
    return ProcessHandle.current().info().commandLine().orElse("?");
  }

  static String machineFacts() {
    String load = "?";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException ignored) {
      // not Linux
    }
    return "machine: " + machine() + "; loadavg at start: " + load;
  }

  /** Cores, CPU model, memory, OS and kernel, JDK, SQLite: one line. */
  static String machine() {
    String cpu = "?";
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse("?");
    } catch (IOException ignored) {
      // not Linux
    }
    long memKb = procKb("/proc/meminfo", "MemTotal:");
    return String.format(Locale.ROOT, "%d cores (%s), %.1f GiB RAM, %s %s; JDK %s (%s); sqlite %s",
        Runtime.getRuntime().availableProcessors(), cpu, memKb / 1024.0 / 1024.0, System.getProperty("os.name"),
        System.getProperty("os.version"), Runtime.version(), System.getProperty("java.vm.name"), sqliteVersion());
  }

  static String sqliteVersion() {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select sqlite_version()")) {
      rs.next();
      return rs.getString(1) + " (sqlite-jdbc " + c.getMetaData().getDriverVersion() + ")";
    } catch (SQLException e) {
      return "?";
    }
  }

  // ---------------------------------------------------------------- goals

  /**
   * Records one measurement against an issue's goal so {@code bench/run} can put every goal next to
   * its measurement in the summary of {@code docs/BENCHMARKS.md}. Appends one tab-separated line
   * {@code issue, metric, measured, goal, verdict} to the file named by the environment variable
   * {@code RUNNEL_BENCH_GOALS} (nothing when it is unset) and also prints it.
   *
   * @param issue   the issue number the goal comes from, e.g. "3"
   * @param metric  what was measured, e.g. "restore 200 MB text vs cp+fsync"
   * @param measured the measurement with its spread, e.g. "1.21× (1.15–1.40)"
   * @param goal    the goal as the issue states it, e.g. "≤ 1.3×"
   * @param met     whether the median meets the goal
   */
  static void goal(String issue, String metric, String measured, String goal, boolean met) {
    String verdict = met ? "met" : "missed";
    String line = String.join("\t", issue, clean(metric), clean(measured), clean(goal), verdict);
    System.out.println("goal (issue " + issue + "): " + metric + ": " + measured + " — goal " + goal + " — " + verdict);
    String file = System.getenv("RUNNEL_BENCH_GOALS");
    if (file != null && !file.isEmpty()) {
      try {
        Files.writeString(Path.of(file), line + "\n", java.nio.charset.StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        System.err.println("cannot record goal in " + file + ": " + e);
      }
    }
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }

  // ---------------------------------------------------------------- statistics

  static double median(List<Double> xs) {
    return percentile(xs, 50);
  }

  /**
   * The order of {@code n} interleaved operations in round {@code round}: a Williams design, in
   * which every operation directly follows every other one equally often over {@link
   * #balancedRounds(int)} rounds. A plain rotation keeps the cyclic order, so each operation always
   * follows the same predecessor and inherits its aftermath. Measured here: a Runnel restore right
   * after Litestream's took 0.35–0.6 s instead of 0.2 s, with the kernel's copy into the page cache
   * 10 times slower (perf); the likely cause is this VM's balloon device, which reports memory a
   * large process just freed to the host, so the next writer faults it back in.
   */
  static int[] balancedOrder(int n, int round) {
    int[] first = new int[n];
    int lo = 0;
    int hi = n - 1;
    for (int i = 0; i < n; i++) {
      first[i] = i == 0 ? 0 : (i % 2 == 1 ? ++lo : hi--);
    }
    int r = round % balancedRounds(n);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      // Odd n needs the mirrored rows as well to balance predecessors.
      int base = r < n ? first[i] : first[n - 1 - i];
      order[i] = (base + r) % n;
    }
    return order;
  }

  /** Rounds after which {@link #balancedOrder} has balanced every pair: n for even n, 2n for odd. */
  static int balancedRounds(int n) {
    return n % 2 == 0 ? n : 2 * n;
  }

  /** {@code runs} rounded up to whole designs of {@link #balancedOrder} for {@code n} operations. */
  static int balancedRuns(int runs, int n) {
    int k = balancedRounds(n);
    return (runs + k - 1) / k * k;
  }

  /** Linear interpolation between closest ranks. */
  static double percentile(List<Double> xs, double p) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double rank = p / 100.0 * (a.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return a[lo] + (a[hi] - a[lo]) * (rank - lo);
  }

  static List<Double> list(double[] xs) {
    return Arrays.stream(xs).boxed().toList();
  }

  static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** "median (min–max)". */
  static String mmm(List<Double> xs) {
    return fmt(median(xs)) + " (" + fmt(min(xs)) + "–" + fmt(max(xs)) + ")";
  }

  // ---------------------------------------------------------------- tables

  static final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
      this.header = List.of(header);
    }

    void row(Object... cells) {
      rows.add(Arrays.stream(cells).map(String::valueOf).toList());
    }

    void print() {
      System.out.println("| " + String.join(" | ", header) + " |");
      System.out.println("|" + "---|".repeat(header.size()));
      for (List<String> r : rows) {
        System.out.println("| " + String.join(" | ", r) + " |");
      }
      System.out.println();
      System.out.flush();
    }
  }

  // ---------------------------------------------------------------- files

  static Path tempDir(String prefix) throws IOException {
    Path base = Path.of(System.getProperty("runnel.bench.dir", "/tmp"));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "runnel-bench-" + prefix + "-");
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static long treeSize(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  /** Runs a command, fails on a non-zero exit. */
  static void exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + rc);
    }
  }

  /** {@code sync; echo 3 > /proc/sys/vm/drop_caches}; false if not permitted. */
  static boolean dropCaches() {
    try {
      exec("sync");
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Creates {@code db} in WAL mode with the benchmarks' row table {@code t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)}. */
  static void createWalDb(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    }
  }

  // ---------------------------------------------------------------- process

  static long processCpuNanos() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime();
  }

  static long procKb(String file, String key) {
    try (Stream<String> lines = Files.lines(Path.of(file))) {
      return lines.filter(l -> l.startsWith(key)).findFirst()
          .map(l -> Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0])).orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * CPU time (utime + stime) of another process so far, in ms, from {@code /proc/PID/stat}; -1 when
   * it cannot be read (the process is gone). Resolution: one clock tick (10 ms).
   */
  static double processCpuMs(long pid) {
    try {
      return processCpuTicks(pid) * 10.0; // USER_HZ = 100
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * utime + stime of a process (all its threads, dead ones included) in USER_HZ ticks, from
   * {@code /proc/PID/stat} fields 14 and 15.
   */
  static long processCpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static int threadCount() {
    return (int) procKb("/proc/self/status", "Threads:");
  }

  static int fdCount() {
    return fdCount("self");
  }

  /** Open descriptors of process {@code pid} ("self" for this one), or -1 when unreadable. */
  static int fdCount(String pid) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", pid, "fd"))) {
      int n = 0;
      for (Path ignored : ds) {
        n++;
      }
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  static long heapUsedAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * CPU ticks (utime+stime) of every thread of this process, keyed by thread name with trailing
   * digits folded ("runnel-sync-1" and "-2" become "runnel-sync-#"), from /proc/self/task.
   */
  static Map<String, Long> threadTicksByName() {
    return threadTicksByName("self");
  }

  /** {@link #threadTicksByName()} of process {@code pid}. */
  static Map<String, Long> threadTicksByName(String pid) {
    Map<String, Long> out = new LinkedHashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path t : ds) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          int close = stat.lastIndexOf(')');
          String name = stat.substring(stat.indexOf('(') + 1, close).replaceAll("\\d+", "#");
          String[] f = stat.substring(close + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
          out.merge(name, ticks, Long::sum);
        } catch (IOException | RuntimeException ignored) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  /** Sleeps; returns early, with the interrupt flag set again, when interrupted. */
  static void sleepMsQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }
}
