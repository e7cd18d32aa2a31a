package dev.runnel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON parser, the CSV reader and the LIKE-to-GLOB translation. */
class ParsersTest {
  @Test
  void json_validDocuments_parse() throws Exception {
    assertEquals(Map.of("a", List.of(1L, -2L, new BigDecimal("3.5"), new BigDecimal("1e3"), true, "x")),
        Json.parse(" {\"a\" : [1,-2,3.5,1e3,true,\"x\"]} "));
    assertEquals("é\n\"\\/😀", Json.parse("\"\\u00e9\\n\\\"\\\\\\/\\ud83d\\ude00\""));
    assertEquals(new BigDecimal("123456789012345678901234"), Json.parse("123456789012345678901234"));
    assertEquals(null, Json.parse("null"));
    assertEquals(Arrays.asList(1L, null), Json.parse("[1,null]"));
  }

  @Test
  void json_invalidDocuments_rejected() {
    for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", "-", ".5", "NaN", "[1] x",
        "\"a\nb\"", "\"\\x\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "tru", "// c\n1", "{a:1}", "\"\\u12g4\"",
        "[".repeat(100) + "]".repeat(100))) {
      assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
    }
  }

  @Test
  void json_write_roundTrips() throws Exception {
    Map<String, Object> m = Json.object();
    m.put("s", "q\"\u0001\u2028");
    m.put("n", 1.5);
    m.put("b", new byte[] {1, (byte) 0xab});
    String text = Json.write(m);
    assertEquals("{\"s\":\"q\\\"\\u0001\\u2028\",\"n\":1.5,\"b\":\"\\\\x01ab\"}", text);
    assertEquals("q\"\u0001\u2028", ((Map<?, ?>) Json.parse(text)).get("s"));
  }

  static List<List<String>> csv(String text) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Csv c = new Csv(new StringReader(text))) {
      for (List<String> r; (r = c.next()) != null; ) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void csv_rfc4180_quotesNewlinesAndNulls() throws Exception {
    assertEquals(List.of(List.of("a", "b"), Arrays.asList("1", null), List.of("x,y", "say \"hi\""),
        List.of("multi\r\nline", "")), csv("\uFEFFa,b\r\n1,\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"multi\r\nline\",\"\""));
    assertEquals(List.of(List.of("a"), List.of("b")), csv("a\n\nb\n\n"));
    assertEquals(List.of(Arrays.asList(null, null, null)), csv(",,"));
    try (Csv c = new Csv(new StringReader("h\n\"a\nb\"\nc\n"))) {
      c.next();
      c.next();
      assertEquals(2, c.recordLine());
      c.next();
      assertEquals(4, c.recordLine());
    }
  }

  @Test
  void csv_malformed_namesLine() {
    Csv.CsvException e = assertThrows(Csv.CsvException.class, () -> csv("a\nb\n\"open\n..."));
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("unterminated"));
    assertEquals(2, assertThrows(Csv.CsvException.class, () -> csv("a\nb\"c\n")).line());
    assertEquals(1, assertThrows(Csv.CsvException.class, () -> csv("\"a\"b\n")).line());
  }

  @Test
  void likeToGlob_translatesWildcardsEscapesAndCase() {
    assertEquals("*a?[*][?][[]]", Query.likeToGlob("%a_\\*?[]", false));
    assertEquals("*[Aa][bB]*", Query.likeToGlob("*Ab*", true));
    assertEquals("[kK\u212A]", Query.likeToGlob("k", true));
    assertEquals("[Éé]", Query.likeToGlob("É", true));
    assertEquals("1-2", Query.likeToGlob("1-2", true));
  }
}
