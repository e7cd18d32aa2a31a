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

  private CodecBench() {}

  /** One benchmark method with one parameter combination: MB/s score and iteration min–max. */
  record Score(String method, String content, String encoding, double mbps, double minMbps, double maxMbps,
      double allocBytesPerPage) {}

  public static void main(String[] argv) throws Exception {
    Harness.Args args = new Harness.Args(argv);
    boolean quick = args.quick();
    Harness.printHeader("LTX codec (JMH): encode/decode vs raw LZ4");
    ChainedOptionsBuilder o = new OptionsBuilder().include(LtxCodecBenchmark.class.getName() + "\\.")
        .forks(1).warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED").addProfiler("gc")
        .timeUnit(TimeUnit.SECONDS);
    if (quick) {
      o.param("encoding", "CURRENT");
    }
    String json = args.string("json", "");
    if (!json.isEmpty()) {
      o.resultFormat(ResultFormatType.JSON).result(json);
    }
    String log = args.string("log", "");
    if (!log.isEmpty()) {
      o.output(log);
    }
    System.out.printf(Locale.ROOT, "JMH: 1 fork, %d × 1 s warm-up, %d × 1 s measurement, -prof gc; 4096-byte pages, "
        + "1024 per operation batch; one thread%s%n%n", quick ? 1 : 2, quick ? 2 : 3,
        quick ? "; encoding CURRENT only (--quick)" : "");
    List<Score> scores = scores(new Runner(o.build()).run());
    print(scores);
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
        "raw LZ4 MB/s mean (min–max)", "LTX / LZ4", "LTX alloc B/page", "goal ≥ 0.7×");
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
    for (Ratio r : ratios) {
      double a = r.ltx().allocBytesPerPage();
      if (!Double.isNaN(a)) {
        Harness.goal("2", "LTX " + r.direction() + " allocation, " + r.ltx().content() + " pages, "
            + r.ltx().encoding() + " encoding", fmt(a) + " B/page (per-file objects amortized)",
            "allocation-free per page (< " + fmt(PER_PAGE_OBJECT_BYTES) + " B/page)", a < PER_PAGE_OBJECT_BYTES);
      }
    }
  }

  record Ratio(String direction, Score ltx, Score lz4) {
    double value() {
      return ltx.mbps() / lz4.mbps();
    }
  }

  /** encode vs compress and decode vs decompress for every content/encoding that has both. */
  static List<Ratio> ratios(Map<String, Score> by) {
    List<Ratio> out = new ArrayList<>();
    for (Score s : by.values()) {
      String key = s.content() + "/" + s.encoding() + "/";
      if (s.method().equals("ltxEncode") && by.containsKey(key + "lz4Compress")) {
        out.add(new Ratio("encode", s, by.get(key + "lz4Compress")));
      } else if (s.method().equals("ltxDecode") && by.containsKey(key + "lz4Decompress")) {
        out.add(new Ratio("decode", s, by.get(key + "lz4Decompress")));
      }
    }
    return out;
  }

  private static String mmm(Score s) {
    return fmt(s.mbps()) + " (" + fmt(s.minMbps()) + "–" + fmt(s.maxMbps()) + ")";
  }
}
