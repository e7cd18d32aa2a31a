package dev.runnel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CodecBenchTest {
  private static CodecBench.Score score(String method, String content, double mbps) {
    return new CodecBench.Score(method, content, "CURRENT", mbps, mbps * 0.9, mbps * 1.1, 2.5);
  }

  private static Map<String, CodecBench.Score> by(CodecBench.Score... scores) {
    Map<String, CodecBench.Score> m = new TreeMap<>();
    for (CodecBench.Score s : scores) {
      m.put(s.content() + "/" + s.encoding() + "/" + s.method(), s);
    }
    return m;
  }

  @Test
  void ratios_encodeAndDecode_pairedWithTheLz4OfTheSameContentAndEncoding() {
    List<CodecBench.Ratio> r = CodecBench.ratios(by(score("ltxEncode", "sqlite", 1000), score("lz4Compress", "sqlite", 4000),
        score("ltxDecode", "sqlite", 1500), score("lz4Decompress", "sqlite", 2000),
        score("ltxEncode", "random", 900), score("lz4Compress", "random", 1000), score("crc64", "sqlite", 1900)));

    assertEquals(3, r.size());
    Map<String, Double> got = new TreeMap<>();
    for (CodecBench.Ratio x : r) {
      got.put(x.ltx().content() + " " + x.direction(), x.value());
    }
    assertEquals(Map.of("sqlite encode", 0.25, "sqlite decode", 0.75, "random encode", 0.9), got);
  }

  @Test
  void ratios_lz4Missing_noRatio() {
    assertEquals(List.of(), CodecBench.ratios(by(score("ltxEncode", "sqlite", 1000), score("ltxDecode", "random", 1))));
  }
}
