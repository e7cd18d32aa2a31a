package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;
import static dev.runnel.bench.Harness.median;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 4, many idle databases: Runnel replicating N idle databases in one process against
 * Litestream 0.3.13 run as one {@code litestream replicate} process per database (the seeds'
 * original design).
 *
 * <p>Each Runnel size runs in a fresh child JVM ({@link IdleFleetChild}, same JVM options and
 * class path as this one, descriptor soft limit raised to the hard limit) so its RSS, threads and
 * descriptors are its own; size 0 is the bare child JVM, the baseline subtracted for "per
 * database". Litestream size n is n processes, each replicating one copy of the same template
 * database to its own file replica directory. Everything (RSS, threads, descriptors, utime+stime)
 * is read from {@code /proc/PID} by this process, identically for both systems; per-window CPU of a
 * process set is its utime+stime delta over the window (10 ms resolution per process).
 *
 * <p>By default all participants start together, wait for each other to be replicating, settle,
 * and are then measured in the same aligned windows ({@code --sequential}: one participant at a
 * time, which takes several times longer). Measuring side by side keeps the comparison under the
 * same machine noise; the cost is that idle processes share the machine while measured.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.IdleCostBench [--quick] [--litestream PATH]
 *     [--sizes 0,1,100,500,2000 | --dbs N] [--ls-sizes 1,10,50] [--window S] [--windows K] [--settle S]
 *     [--sequential]
 * </pre>
 */
public final class IdleCostBench {
  /** Kernel clock ticks per second of utime/stime in /proc (USER_HZ, 100 on Linux). */
  private static final double USER_HZ = 100;

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    boolean quick = args.quick();
    // --dbs N (bench/run-engine's older interface): the bare JVM and N databases only.
    String dbs = args.string("dbs", "");
    int[] sizes = ints(args.string("sizes", !dbs.isEmpty() ? "0," + dbs : quick ? "0,1,100,500" : "0,1,100,500,2000"));
    int[] lsSizes = ints(args.string("ls-sizes", quick ? "1,10" : "1,10,50"));
    int windowSec = args.intValue("window", 10, 30);
    int windows = args.intValue("windows", 3, 3);
    int settleSec = args.intValue("settle", 5, 60);
    boolean sequential = args.flag("sequential");
    Litestream ls = Litestream.find(args.string("litestream", ""));

    Harness.printHeader("Scenario 4: many idle databases — Runnel (one process) vs Litestream 0.3.13 (one process "
        + "per database)");
    System.out.printf(Locale.ROOT, "Runnel sizes %s (0 = bare child JVM), Litestream sizes %s; each Runnel size in a "
        + "fresh child JVM with default options (monitor 1 s, checkpoint interval 1 min, one ReplicationRuntime with "
        + "2 scheduler threads), one file replica directory per database; settle %d s after all are replicating, "
        + "then %d windows of %d s; %s.%s%n%n", Arrays.toString(sizes), ls == null ? "– (skipped)"
        : Arrays.toString(lsSizes), settleSec, windows, windowSec, sequential ? "one participant at a time"
        : "all participants measured side by side in the same windows", quick ? " Quick mode: no 2,000 and no "
        + "50, 10 s windows and 5 s settle (the full mode settles 60 s, past the first time-based checkpoint)." : "");
    if (ls == null) {
      System.out.println("Litestream baseline skipped: no executable at --litestream '"
          + args.string("litestream", "") + "'");
      System.out.println();
    } else {
      System.out.println("Litestream: " + ls.binary() + " (" + ls.version() + "), `litestream replicate DB "
          + "file://DIR` with default settings (1 s sync interval).");
      System.out.println();
    }

    List<Participant> all = new ArrayList<>();
    for (int n : sizes) {
      all.add(new Participant("Runnel", n));
    }
    if (ls != null) {
      for (int n : lsSizes) {
        all.add(new Participant("Litestream", n));
      }
    }
    List<List<Participant>> groups = sequential ? all.stream().map(List::of).toList() : List.of(all);
    // Child JVMs exit on their own when stdin closes; Litestream processes would outlive a ^C.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroy)));
    Path work = Harness.tempDir("idle");
    try {
      for (List<Participant> g : groups) {
        runGroup(g, ls, work, settleSec, windowSec, windows);
      }
      report(all, windowSec, windows);
    } finally {
      for (Participant p : all) {
        p.stop();
      }
      Harness.deleteTree(work);
    }
  }

  // ------------------------------------------------------------------------------------- running

  private static void runGroup(List<Participant> group, Litestream ls, Path work, int settleSec, int windowSec,
      int windows) throws Exception {
    long t0 = System.nanoTime();
    for (Participant p : group) {
      p.start(ls, work);
    }
    for (Participant p : group) {
      p.awaitReady();
    }
    System.err.printf(Locale.ROOT, "[idle] %s ready after %.1f s; settling %d s%n", names(group),
        (System.nanoTime() - t0) / 1e9, settleSec);
    Harness.sleepMs(settleSec * 1000L);
    for (Participant p : group) {
      p.heapBytes = p.heap();
    }
    List<Sample> prev = new ArrayList<>();
    for (Participant p : group) {
      prev.add(p.sample());
    }
    long next = System.nanoTime();
    for (int w = 0; w < windows; w++) {
      next += windowSec * 1_000_000_000L;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
      }
      for (int i = 0; i < group.size(); i++) {
        Participant p = group.get(i);
        Sample s = p.sample();
        Sample a = prev.get(i);
        double wall = (s.nanos - a.nanos) / 1e9;
        p.cpuPct.add(100.0 * (s.ticks - a.ticks) / USER_HZ / wall);
        p.syncs += s.syncs - a.syncs;
        p.uploads += s.uploads - a.uploads;
        if (a.threadTicks != null) {
          String busiest = WriteOverheadBench.diffTicks(a.threadTicks, s.threadTicks, s.nanos - a.nanos);
          p.busiest = busiest.isEmpty() ? "–" : busiest;
        }
        prev.set(i, s);
      }
      System.err.printf(Locale.ROOT, "[idle] window %d/%d done%n", w + 1, windows);
    }
    for (Participant p : group) {
      p.rssKb = p.sum(pid -> Harness.procKb("/proc/" + pid + "/status", "VmRSS:"));
      p.threads = p.sum(pid -> Harness.procKb("/proc/" + pid + "/status", "Threads:"));
      p.fds = p.sum(pid -> Harness.fdCount(pid));
    }
    long ts = System.nanoTime();
    for (Participant p : group) { // all close their databases in parallel
      p.requestStop();
    }
    for (Participant p : group) {
      p.stop();
    }
    System.err.printf(Locale.ROOT, "[idle] stopped in %.1f s%n", (System.nanoTime() - ts) / 1e9);
  }

  private static String names(List<Participant> g) {
    return String.join(", ", g.stream().map(Participant::label).toList());
  }

  record Sample(long nanos, long ticks, Map<String, Long> threadTicks, long syncs, long uploads) {}

  /** One Runnel child JVM or one set of Litestream processes, and what was measured of it. */
  static final class Participant {
    final String system;
    final int dbs;
    private Process child;
    private BufferedReader childOut;
    private PrintWriter childIn;
    private Path childErr;
    private final List<Litestream.Replicator> litestreams = new ArrayList<>();
    private final List<Path> lsReplicas = new ArrayList<>();
    double openS = Double.NaN;
    double replicatedS = Double.NaN;
    double closeS = Double.NaN;
    final List<Double> cpuPct = new ArrayList<>();
    long syncs;
    long uploads;
    String busiest = "–";
    long rssKb;
    long threads;
    long fds;
    long heapBytes = -1;

    Participant(String system, int dbs) {
      this.system = system;
      this.dbs = dbs;
    }

    boolean runnel() {
      return system.equals("Runnel");
    }

    String label() {
      return system + " " + dbs;
    }

    void start(Litestream ls, Path work) throws IOException {
      Path dir = work.resolve(system.toLowerCase(Locale.ROOT) + "-" + dbs);
      Files.createDirectories(dir);
      if (runnel()) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
            "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$@\"", "sh", java));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleFleetChild.class.getName(),
            Integer.toString(dbs), dir.toString()));
        childErr = work.resolve("child-" + dbs + ".err");
        child = new ProcessBuilder(cmd).redirectError(childErr.toFile()).start();
        childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        childIn = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8);
      } else {
        Path template = dir.resolve("template.db");
        try {
          IdleFleetChild.createTemplate(template);
        } catch (Exception e) {
          throw new IOException("cannot create template database", e);
        }
        for (int i = 0; i < dbs; i++) {
          Path db = dir.resolve("db-" + i + ".db");
          Files.copy(template, db);
          Path replica = dir.resolve("replica-" + i);
          lsReplicas.add(replica);
          litestreams.add(ls.replicate(db, replica, dir.resolve("db-" + i + ".log")));
        }
      }
    }

    void awaitReady() throws IOException {
      if (runnel()) {
        String[] f = ask(null, "READY");
        openS = Double.parseDouble(f[1]);
        replicatedS = Double.parseDouble(f[2]);
      } else {
        for (Path r : lsReplicas) {
          Litestream.awaitSnapshotIn(r, Duration.ofSeconds(60));
        }
      }
    }

    /** Sends {@code command} (null: none) and reads the child's line starting with {@code expect}. */
    private String[] ask(String command, String expect) throws IOException {
      if (command != null) {
        childIn.println(command);
      }
      String line = childOut.readLine();
      if (line == null || !line.startsWith(expect)) {
        String err = Files.exists(childErr) ? Files.readString(childErr) : "";
        throw new IOException(label() + ": expected " + expect + ", got " + line + "; child stderr (tail): "
            + err.substring(Math.max(0, err.length() - 3000)));
      }
      return line.trim().split(" ");
    }

    long heap() throws IOException {
      return runnel() ? Long.parseLong(ask("HEAP", "HEAP")[1]) : -1;
    }

    Sample sample() throws IOException {
      long now = System.nanoTime();
      long ticks = sum(IdleCostBench::cpuTicks);
      if (!runnel()) {
        return new Sample(now, ticks, null, 0, 0);
      }
      Map<String, Long> tt = Harness.threadTicksByName(Long.toString(child.pid()));
      String[] f = ask("SAMPLE", "SAMPLE");
      return new Sample(now, ticks, tt, Long.parseLong(f[1]), Long.parseLong(f[2]));
    }

    long sum(java.util.function.ToLongFunction<String> perPid) {
      if (runnel()) {
        return perPid.applyAsLong(Long.toString(child.pid()));
      }
      long s = 0;
      for (Litestream.Replicator r : litestreams) {
        s += perPid.applyAsLong(Long.toString(r.pid()));
      }
      return s;
    }

    private boolean quitSent;

    /** Asks its processes to stop, without waiting (Runnel: QUIT, a final sync of all; Litestream: SIGTERM). */
    void requestStop() {
      if (child != null && child.isAlive() && !quitSent) {
        childIn.println("QUIT");
        quitSent = true;
      }
      for (Litestream.Replicator r : litestreams) {
        r.process().destroy();
      }
    }

    /** Stops the processes and waits for them. Idempotent. */
    void stop() {
      if (child != null && child.isAlive()) {
        try {
          closeS = Double.parseDouble(ask(quitSent ? null : "QUIT", "CLOSED")[1]);
          quitSent = true;
          if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
          }
        } catch (IOException | RuntimeException e) {
          System.err.println("[idle] " + label() + ": " + e);
          child.destroyForcibly();
        } catch (InterruptedException e) {
          child.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
      for (Litestream.Replicator r : litestreams) {
        try {
          r.process().waitFor(10, TimeUnit.SECONDS); // its final sync after the SIGTERM of requestStop
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        r.close();
      }
    }
  }

  /** utime + stime of a process (all its threads, dead ones included), in USER_HZ ticks. */
  static long cpuTicks(String pid) {
    try {
      return Harness.processCpuTicks(Long.parseLong(pid));
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
  }

  // ------------------------------------------------------------------------------------- report

  private static void report(List<Participant> all, int windowSec, int windows) {
    System.out.println("Per participant (RSS, threads and descriptors read at the end of the last window; heap "
        + "= used heap after System.gc() in the child before the windows; CPU = utime+stime over each " + windowSec
        + " s window, % of one core, median (min–max) of " + windows + "; /proc counts CPU in 10 ms ticks, i.e. ± "
        + fmt(100 * 0.01 / windowSec) + " % of a core per process and window):");
    System.out.println();
    Harness.Table t = new Harness.Table("system", "databases", "processes", "RSS MiB", "heap after GC MiB",
        "threads", "fds", "idle CPU % of one core", "L0 files / uploads in windows", "busiest threads (last window)",
        "open s / all replicated s / close s");
    for (Participant p : all) {
      t.row(p.system, p.dbs, p.runnel() ? 1 : p.dbs, fmt(p.rssKb / 1024.0),
          p.heapBytes < 0 ? "–" : fmt(p.heapBytes / 1048576.0), p.threads, p.fds, Harness.mmm(p.cpuPct),
          p.runnel() ? p.syncs + " / " + p.uploads : "–", p.runnel() ? p.busiest : "–",
          p.runnel() ? fmt(p.openS) + " / " + fmt(p.replicatedS) + " / " + fmt(p.closeS) : "–");
    }
    t.print();

    Participant base = all.stream().filter(p -> p.runnel() && p.dbs == 0).findFirst().orElse(null);
    double resolution = 100 * 0.01 / windowSec;
    System.out.println("Per database: Runnel = (size N − bare child JVM) / N, the marginal cost of a database in a "
        + "JVM that runs anyway; Litestream = process set / n (each database is a process). CPU per database uses "
        + "the median window; a Runnel difference to the bare JVM within one 10 ms tick per window (" + fmt(resolution)
        + " % of a core) is not measurable and shows as ≤ 0.");
    System.out.println();
    Harness.Table d = new Harness.Table("system", "databases", "RSS KiB / db", "threads / db", "fds / db",
        "idle CPU % of one core / db", "process total / db: RSS KiB, CPU %");
    Map<Participant, double[]> perDb = new LinkedHashMap<>();
    for (Participant p : all) {
      if (p.dbs == 0) {
        continue;
      }
      double[] v = perDb(p, p.runnel() ? base : null);
      if (p.runnel() && v[3] * p.dbs < resolution) {
        v[3] = 0; // the difference to the bare JVM is within one tick: not measurable
      }
      perDb.put(p, v);
      d.row(p.system, p.dbs, fmt(v[0]), fmt(v[1]), fmt(v[2]), fmtCpu(v[3]),
          fmt(p.rssKb / (double) p.dbs) + ", " + fmtCpu(median(p.cpuPct) / p.dbs));
    }
    d.print();

    Participant lsMax = all.stream().filter(p -> !p.runnel()).reduce((a, b) -> b).orElse(null);
    if (lsMax != null && base != null) {
      double[] l = perDb.get(lsMax);
      System.out.println("Ratio Litestream / Runnel per database (Litestream at " + lsMax.dbs + " processes; > 1 means "
          + "Litestream costs more):");
      System.out.println();
      Harness.Table r = new Harness.Table("Runnel databases", "RSS", "threads", "fds", "idle CPU");
      for (Participant p : all) {
        if (p.runnel() && p.dbs > 0) {
          double[] v = perDb.get(p);
          r.row(p.dbs, ratio(l[0], v[0]), ratio(l[1], v[1]), ratio(l[2], v[2]), ratio(l[3], v[3]));
        }
      }
      r.print();
    }
    all.stream().filter(p -> p.runnel() && p.dbs == 500).findFirst().ifPresent(p -> Harness.goal("3",
        "idle CPU of one process replicating 500 idle databases (whole process, " + windowSec + " s windows)",
        Harness.mmm(p.cpuPct) + " % of a core", "≤ 1 % of a core", median(p.cpuPct) <= 1.0));
  }

  /** RSS KiB, threads, fds, CPU % per database. */
  private static double[] perDb(Participant p, Participant base) {
    double n = p.dbs;
    if (base == null) {
      return new double[] {p.rssKb / n, p.threads / n, p.fds / n, median(p.cpuPct) / n};
    }
    return new double[] {(p.rssKb - base.rssKb) / n, (p.threads - base.threads) / n, (p.fds - base.fds) / n,
        (median(p.cpuPct) - median(base.cpuPct)) / n};
  }

  private static String fmtCpu(double v) {
    return v <= 0 ? "≤ 0" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String ratio(double litestream, double runnel) {
    return runnel <= 0 || litestream <= 0 ? "– (not measurable)" : fmt(litestream / runnel) + "×";
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt)
        .toArray();
  }
}
