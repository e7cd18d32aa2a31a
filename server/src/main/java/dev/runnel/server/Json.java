package dev.runnel.server;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) parser and a compact writer.
 *
 * <p>Parsing yields {@link Map} (a {@link LinkedHashMap}, key order kept; duplicate keys rejected),
 * {@link List}, {@link String}, {@link Long} (integers that fit), {@link BigDecimal} (other
 * numbers), {@link Boolean} and {@code null}. Rejected: trailing commas, comments, single quotes,
 * leading zeros, {@code NaN}, unescaped control characters, lone surrogates in escapes, nesting
 * deeper than {@link #MAX_DEPTH}, anything after the value but whitespace.
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {
  /** Deepest nesting of arrays and objects the parser accepts. */
  public static final int MAX_DEPTH = 64;

  private Json() {}

  /** A parse error with the 0-based character offset where it was found. */
  public static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int offset;

    ParseException(String message, int offset) {
      super(message + " at offset " + offset);
      this.offset = offset;
    }

    public int offset() {
      return offset;
    }
  }

  // ---------------------------------------------------------------------------------- parsing

  public static Object parse(String text) throws ParseException {
    Parser p = new Parser(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.pos != text.length()) {
      throw new ParseException("unexpected " + p.describe() + " after the JSON value", p.pos);
    }
    return v;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    String describe() {
      if (pos >= s.length()) {
        return "end of input";
      }
      char c = s.charAt(pos);
      return c >= 0x20 && c < 0x7f ? "character '" + c + "'" : String.format("character U+%04X", (int) c);
    }

    void ws() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    Object value(int depth) throws ParseException {
      if (pos >= s.length()) {
        throw new ParseException("unexpected end of input", pos);
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth + 1);
        case '[':
          return array(depth + 1);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw new ParseException("unexpected " + describe(), pos);
      }
    }

    void literal(String word) throws ParseException {
      if (!s.startsWith(word, pos)) {
        throw new ParseException("invalid literal", pos);
      }
      pos += word.length();
    }

    Map<String, Object> object(int depth) throws ParseException {
      if (depth > MAX_DEPTH) {
        throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
      }
      pos++; // {
      Map<String, Object> m = new LinkedHashMap<>();
      ws();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return m;
      }
      while (true) {
        ws();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw new ParseException("expected a string key, found " + describe(), pos);
        }
        int keyAt = pos;
        String k = string();
        ws();
        expect(':');
        ws();
        Object v = value(depth);
        if (m.containsKey(k)) {
          throw new ParseException("duplicate key \"" + k + "\"", keyAt);
        }
        m.put(k, v);
        ws();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect('}');
        return m;
      }
    }

    List<Object> array(int depth) throws ParseException {
      if (depth > MAX_DEPTH) {
        throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
      }
      pos++; // [
      List<Object> l = new ArrayList<>();
      ws();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return l;
      }
      while (true) {
        ws();
        l.add(value(depth));
        ws();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect(']');
        return l;
      }
    }

    void expect(char c) throws ParseException {
      if (pos >= s.length() || s.charAt(pos) != c) {
        throw new ParseException("expected '" + c + "', found " + describe(), pos);
      }
      pos++;
    }

    String string() throws ParseException {
      pos++; // opening quote
      StringBuilder sb = null;
      int start = pos;
      while (true) {
        if (pos >= s.length()) {
          throw new ParseException("unterminated string", pos);
        }
        char c = s.charAt(pos);
        if (c == '"') {
          String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
          pos++;
          return out;
        }
        if (c < 0x20) {
          throw new ParseException("unescaped control character in string", pos);
        }
        if (c == '\\') {
          if (sb == null) {
            sb = new StringBuilder();
          }
          sb.append(s, start, pos);
          pos++;
          if (pos >= s.length()) {
            throw new ParseException("unterminated escape", pos);
          }
          char e = s.charAt(pos++);
          switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
              char u = hex4();
              if (Character.isHighSurrogate(u)) {
                if (!s.startsWith("\\u", pos)) {
                  throw new ParseException("lone high surrogate escape", pos);
                }
                pos += 2;
                char lo = hex4();
                if (!Character.isLowSurrogate(lo)) {
                  throw new ParseException("high surrogate not followed by a low surrogate", pos);
                }
                sb.append(u).append(lo);
              } else if (Character.isLowSurrogate(u)) {
                throw new ParseException("lone low surrogate escape", pos);
              } else {
                sb.append(u);
              }
            }
            default -> throw new ParseException("invalid escape \\" + e, pos - 1);
          }
          start = pos;
        } else {
          pos++;
        }
      }
    }

    char hex4() throws ParseException {
      if (pos + 4 > s.length()) {
        throw new ParseException("truncated \\u escape", pos);
      }
      int v = 0;
      for (int i = 0; i < 4; i++) {
        int d = Character.digit(s.charAt(pos + i), 16);
        if (d < 0 || s.charAt(pos + i) > 0x7f) {
          throw new ParseException("invalid hex digit in \\u escape", pos + i);
        }
        v = (v << 4) | d;
      }
      pos += 4;
      return (char) v;
    }

    Object number() throws ParseException {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length()) {
        throw new ParseException("truncated number", pos);
      }
      char c = s.charAt(pos);
      if (c == '0') {
        pos++;
        if (pos < s.length() && isDigit(s.charAt(pos))) {
          throw new ParseException("leading zero in number", pos);
        }
      } else if (c >= '1' && c <= '9') {
        digits();
      } else {
        throw new ParseException("invalid number", pos);
      }
      boolean integral = true;
      if (pos < s.length() && s.charAt(pos) == '.') {
        integral = false;
        pos++;
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw new ParseException("expected a digit after the decimal point", pos);
        }
        digits();
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw new ParseException("expected a digit in the exponent", pos);
        }
        digits();
      }
      String text = s.substring(start, pos);
      if (integral && text.length() <= 19) {
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException ignored) {
          // falls through to BigDecimal
        }
      }
      return new BigDecimal(text);
    }

    void digits() {
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }

    static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }

  // ---------------------------------------------------------------------------------- writing

  /** Compact JSON for maps, collections, strings, numbers, booleans, null and byte arrays (as {@code "\\x<hex>"}). */
  public static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v);
    return sb.toString();
  }

  public static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        sb.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        sb.append((long) d.doubleValue()).append(".0");
      } else {
        sb.append(d);
      }
    } else if (v instanceof Float f) {
      write(sb, f.doubleValue());
    } else if (v instanceof BigDecimal b) {
      sb.append(b.toString());
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof RawJson r) {
      sb.append(r.text());
    } else if (v instanceof byte[] b) {
      StringBuilder hex = new StringBuilder(2 + b.length * 2).append("\\x");
      for (byte x : b) {
        hex.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
      }
      string(sb, hex.toString());
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      Iterator<?> it = c.iterator();
      while (it.hasNext()) {
        write(sb, it.next());
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      sb.append(']');
    } else {
      string(sb, v.toString());
    }
  }

  /** Already-valid JSON text, written as is (e.g. a JSON column). */
  public record RawJson(String text) {}

  public static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** An insertion-ordered map. */
  public static Map<String, Object> object() {
    return new LinkedHashMap<>();
  }
}
