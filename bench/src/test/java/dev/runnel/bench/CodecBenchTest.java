package dev.runnel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CodecBenchTest {
  private static CodecBench.Score score(String method, String content, double mbps) {
    return score(method, content, "CURRENT", mbps);
  }

  private static CodecBench.Score score(String method, String content, String encoding, double mbps) {
    return new CodecBench.Score(method, content, encoding, mbps, mbps * 0.9, mbps * 1.1, 2.5);
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
  void ratios_legacyEncodingWithoutItsOwnLz4Run_pairedWithLz4OfTheSameContent() {
    List<CodecBench.Ratio> r = CodecBench.ratios(by(score("ltxEncode", "sqlite", "LEGACY", 800),
        score("lz4Compress", "sqlite", 4000), score("lz4Compress", "random", 1000)));

    assertEquals(1, r.size());
    assertEquals("LEGACY", r.get(0).ltx().encoding());
    assertEquals(0.2, r.get(0).value(), 1e-12);
  }

  @Test
  void suffixed_withAndWithoutExtension_suffixBeforeTheExtension() {
    assertEquals("/a/b/codec-lz4.json", CodecBench.suffixed("/a/b/codec.json", "-lz4"));
    assertEquals("/a.d/log-lz4", CodecBench.suffixed("/a.d/log", "-lz4"));
    assertEquals("", CodecBench.suffixed("", "-lz4"));
  }

  @Test
  void ratios_lz4Missing_noRatio() {
    assertEquals(List.of(), CodecBench.ratios(by(score("ltxEncode", "sqlite", 1000), score("ltxDecode", "random", 1))));
  }
}
