package dev.runnel.cli;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal JSON writer for the CLI's {@code -json} output: maps (insertion order kept), lists,
 * strings, numbers, booleans and null. Not a parser; nothing here reads JSON.
 */
public final class Json {
  private Json() {}

  /** An insertion-ordered map, the usual way to build an object. */
  public static Map<String, Object> object() {
    return new LinkedHashMap<>();
  }

  public static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, 0, true);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, boolean pretty) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        newline(sb, indent + 1, pretty);
        string(sb, String.valueOf(e.getKey()));
        sb.append(pretty ? ": " : ":");
        write(sb, e.getValue(), indent + 1, pretty);
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      newline(sb, indent, pretty);
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      Iterator<?> it = c.iterator();
      while (it.hasNext()) {
        newline(sb, indent + 1, pretty);
        write(sb, it.next(), indent + 1, pretty);
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      newline(sb, indent, pretty);
      sb.append(']');
    } else {
      string(sb, v.toString());
    }
  }

  private static void newline(StringBuilder sb, int indent, boolean pretty) {
    if (pretty) {
      sb.append('\n').append("  ".repeat(indent));
    }
  }

  private static void string(StringBuilder sb, String s) {
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
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
