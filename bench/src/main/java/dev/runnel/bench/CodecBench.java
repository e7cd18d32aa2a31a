package dev.runnel.bench;

import static dev.runnel.bench.Harness.fmt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link LtxCodecBenchmark} through the JMH runner API (short settings; {@code --quick}
 * measures the current page encoding only) and prints markdown: LTX encode/decode next to raw LZ4
 * compress/decompress of the same pages, the ratio, allocation per page, and issue 2's goal lines
 * (≥ 0.7× raw LZ4 both ways; allocation-free per page). JMH's own log goes to {@code --log FILE}
 * and its JSON results to {@code --json FILE}.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.CodecBench [--quick] [--json FILE] [--log FILE]
 * </pre>
 */
public final class CodecBench {
  /** A per-page allocation means at least one object, 16 bytes; anything less is per-file setup amortized. */
  static final double PER_PAGE_OBJECT_BYTES = 16;
  static final double GOAL_RATIO = 0.7;
  static volatile long blackhole;

  private CodecBench() {}

  /** One benchmark method with one parameter combination: MB/s score and iteration min–max. */
  record Score(String method, String content, String encoding, double mbps, double minMbps, double maxMbps,
      double allocBytesPerPage) {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    boolean quick = args.quick();
    Harness.printHeader("LTX codec (JMH): encode/decode vs raw LZ4");
    String json = args.string("json", "");
    String log = args.string("log", "");
    System.out.printf(Locale.ROOT, "JMH: 1 fork, %d × 1 s warm-up, %d × 1 s measurement, -prof gc; 4096-byte pages, "
        + "1024 per operation batch; one thread; raw LZ4 and CRC-64 do not depend on the page encoding, so they run "
        + "once per content%s%n%n", quick ? 1 : 2, quick ? 2 : 3,
        quick ? "; --quick: sqlite pages, CURRENT encoding only" : "");
    List<RunResult> results = new ArrayList<>();
    results.addAll(new Runner(options(quick, "ltxEncode|ltxDecode", quick ? "CURRENT" : null, json, log)).run());
    results.addAll(new Runner(options(quick, "lz4Compress|lz4Decompress|crc64", "CURRENT", suffixed(json, "-lz4"),
        suffixed(log, "-lz4"))).run());
    List<Score> scores = scores(results);
    print(scores);
    allocation(quick);
  }

  /**
   * Allocation per page at two file sizes, measured in this JVM with the thread's allocation
   * counter: per-file buffers shrink per page as files grow, anything allocated for every page
   * does not. The marginal bytes per page between the sizes is what the page loop costs.
   */
  static void allocation(boolean quick) throws Exception {
    int small = LtxCodecBenchmark.PAGES;
    int large = 8 * small;
    Harness.Table t = new Harness.Table("content", "direction", "B/page, " + small + "-page file",
        "B/page, " + large + "-page file", "marginal B/page (" + small + " → " + large + ")",
        "goal: allocation-free per page (< " + fmt(PER_PAGE_OBJECT_BYTES) + ")");
    for (String content : new String[] {"sqlite", "random"}) {
      for (String direction : new String[] {"encode", "decode"}) {
        double a = bytesPerFile(content, direction, small, quick);
        double b = bytesPerFile(content, direction, large, quick);
        double marginal = (b - a) / (large - small);
        boolean met = marginal < PER_PAGE_OBJECT_BYTES;
        t.row(content, direction, fmt(a / small), fmt(b / large), fmt(marginal), met ? "met" : "MISSED");
        Harness.goal("2", "LTX " + direction + " allocation per page in steady state, " + content + " pages",
            fmt(marginal) + " B/page marginal between " + small + "- and " + large + "-page files (" + fmt(a / small)
                + " → " + fmt(b / large) + " B/page in all; consistent with the page index the format keeps: 16 B/page "
                + "entries grown by doubling ≈ 32, plus the decoder's ≤ 20 B/page index tail)",
            "allocation-free per page (< " + fmt(PER_PAGE_OBJECT_BYTES) + " B/page, one object)", met);
      }
    }
    System.out.println("Allocation per page (current encoding; this JVM's thread allocation counter, after warm-up, "
        + "mean of several files):");
    System.out.println();
    t.print();
  }

  private static double bytesPerFile(String content, String direction, int pageCount, boolean quick) throws Exception {
    LtxCodecBenchmark b = new LtxCodecBenchmark();
    b.content = content;
    b.encoding = "CURRENT";
    b.pageCount = pageCount;
    b.setup();
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    int warm = Math.max(3, (quick ? 100 : 300) * LtxCodecBenchmark.PAGES / pageCount);
    int reps = Math.max(3, 30 * LtxCodecBenchmark.PAGES / pageCount);
    long sink = 0;
    for (int i = 0; i < warm; i++) {
      sink += direction.equals("encode") ? b.ltxEncode() : b.ltxDecode();
    }
    long a0 = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < reps; i++) {
      sink += direction.equals("encode") ? b.ltxEncode() : b.ltxDecode();
    }
    long a1 = threads.getCurrentThreadAllocatedBytes();
    blackhole = sink; // keeps the results alive, so the JIT cannot drop the work
    return (double) (a1 - a0) / reps;
  }

  private static org.openjdk.jmh.runner.options.Options options(boolean quick, String methods, String encoding,
      String json, String log) {
    ChainedOptionsBuilder o = new OptionsBuilder().include(LtxCodecBenchmark.class.getName() + "\\.(" + methods + ")$")
        .forks(1).warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED").addProfiler("gc").timeUnit(TimeUnit.SECONDS);
    if (encoding != null) {
      o.param("encoding", encoding);
    }
    if (quick) {
      o.param("content", "sqlite");
    }
    if (!json.isEmpty()) {
      o.resultFormat(ResultFormatType.JSON).result(json);
    }
    if (!log.isEmpty()) {
      o.output(log);
    }
    return o.build();
  }

  /** "dir/codec.json" + "-lz4" → "dir/codec-lz4.json"; "" stays "". */
  static String suffixed(String file, String suffix) {
    if (file.isEmpty()) {
      return file;
    }
    int dot = file.lastIndexOf('.');
    return dot > file.lastIndexOf('/') ? file.substring(0, dot) + suffix + file.substring(dot) : file + suffix;
  }

  /** Turns JMH results into MB/s scores (one operation is one 4096-byte page). */
  static List<Score> scores(Collection<RunResult> results) {
    List<Score> out = new ArrayList<>();
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark();
      String method = bench.substring(bench.lastIndexOf('.') + 1);
      double min = Double.MAX_VALUE;
      double max = 0;
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult it : b.getIterationResults()) {
          double s = it.getPrimaryResult().getScore();
          min = Math.min(min, s);
          max = Math.max(max, s);
        }
      }
      double alloc = Double.NaN;
      for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
          alloc = e.getValue().getScore();
        }
      }
      out.add(new Score(method, r.getParams().getParam("content"), r.getParams().getParam("encoding"),
          mbps(r.getPrimaryResult().getScore()), mbps(min), mbps(max), alloc));
    }
    return out;
  }

  private static double mbps(double pagesPerSecond) {
    return pagesPerSecond * LtxCodecBenchmark.PAGE / 1e6;
  }

  /** Prints the table and records issue 2's goals. */
  static void print(List<Score> scores) {
    Map<String, Score> by = new TreeMap<>();
    for (Score s : scores) {
      by.put(s.content() + "/" + s.encoding() + "/" + s.method(), s);
    }
    Harness.Table t = new Harness.Table("content", "page encoding", "direction", "LTX MB/s mean (min–max)",
        "raw LZ4 MB/s mean (min–max)", "LTX / LZ4", "LTX alloc B/page (JMH -prof gc, 1024-page file)", "goal ≥ 0.7×");
    List<Ratio> ratios = ratios(by);
    for (Ratio r : ratios) {
      t.row(r.ltx().content(), r.ltx().encoding(), r.direction(), mmm(r.ltx()), mmm(r.lz4()), fmt(r.value()) + "×",
          fmt(r.ltx().allocBytesPerPage()), r.value() >= GOAL_RATIO ? "met" : "MISSED");
    }
    t.print();
    Harness.Table c = new Harness.Table("content", "CRC-64 (the format's per-page checksum) MB/s mean (min–max)");
    by.values().stream().filter(s -> s.method().equals("crc64")).forEach(s -> c.row(s.content() + "/" + s.encoding(),
        mmm(s)));
    c.print();
    for (Ratio r : ratios) {
      Harness.goal("2", "LTX " + r.direction() + " vs raw LZ4, " + r.ltx().content() + " pages, "
          + r.ltx().encoding() + " encoding", fmt(r.value()) + "× (" + fmt(r.ltx().mbps()) + " vs "
          + fmt(r.lz4().mbps()) + " MB/s)", "≥ 0.7×", r.value() >= GOAL_RATIO);
    }
  }

  record Ratio(String direction, Score ltx, Score lz4) {
    double value() {
      return ltx.mbps() / lz4.mbps();
    }
  }

  /**
   * encode vs compress and decode vs decompress for every LTX score that has raw LZ4 of the same
   * content; raw LZ4 does not depend on the page encoding, so the same encoding is preferred but
   * any will do.
   */
  static List<Ratio> ratios(Map<String, Score> by) {
    List<Ratio> out = new ArrayList<>();
    for (Score s : by.values()) {
      String lz4 = switch (s.method()) {
        case "ltxEncode" -> "lz4Compress";
        case "ltxDecode" -> "lz4Decompress";
        default -> null;
      };
      if (lz4 == null) {
        continue;
      }
      Score same = by.get(s.content() + "/" + s.encoding() + "/" + lz4);
      Score any = same != null ? same : by.values().stream()
          .filter(x -> x.method().equals(lz4) && x.content().equals(s.content())).findFirst().orElse(null);
      if (any != null) {
        out.add(new Ratio(s.method().equals("ltxEncode") ? "encode" : "decode", s, any));
      }
    }
    return out;
  }

  private static String mmm(Score s) {
    return fmt(s.mbps()) + " (" + fmt(s.minMbps()) + "–" + fmt(s.maxMbps()) + ")";
  }
}
