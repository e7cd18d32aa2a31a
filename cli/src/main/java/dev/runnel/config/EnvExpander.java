package dev.runnel.config;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Environment expansion of the whole config text, with Go {@code os.Expand} semantics exactly,
 * because that is what Litestream applies before parsing YAML.
 *
 * <p>For each {@code $} that is not the last character:
 *
 * <ul>
 *   <li>{@code $NAME} — NAME is the longest run of ASCII letters, digits and {@code _}: replaced by
 *       its value; unset means empty.
 *   <li><code>${NAME}</code> — everything up to the <em>next</em> <code>}</code> is the name (even
 *       across lines), so <code>${VAR:-x}</code> looks up a variable literally named
 *       <code>VAR:-x</code> (empty).
 *   <li><code>$X</code> or <code>${X}</code> where X is one of <code>* # $ @ ! ? - 0-9</code> — a one-character
 *       "special" name looked up like any other; they are never set, so {@code $$}, {@code $1},
 *       {@code $?} all become empty. A password containing {@code $$} therefore loses both dollars.
 *   <li>{@code $} followed by anything else ({@code $ }, {@code $/}, {@code $.}) — kept verbatim.
 *   <li><code>${}</code> — removed; <code>${</code> with no closing brace — the <code>${</code> is
 *       removed and the rest kept.
 *   <li>A trailing {@code $} is kept.
 * </ul>
 *
 * <p>Runnel addition from the spec: {@code PID} always expands to the current process id (so
 * <code>$PID</code> and <code>${PID}</code> work even though shells do not export it).
 *
 * <p>Expansion happens before YAML parsing, so a value containing a newline or a {@code :} can change
 * the YAML structure; line numbers in messages refer to the expanded text.
 */
public final class EnvExpander {
  private EnvExpander() {}

  /** Expands {@code text} using {@code env} for lookups and {@code pid} for {@code PID}. */
  public static String expand(String text, Map<String, String> env, long pid) {
    return expand(
        text, name -> name.equals("PID") ? Long.toString(pid) : env.getOrDefault(name, ""));
  }

  /** Expands {@code text} with an arbitrary name → value mapping, as Go's {@code os.Expand}. */
  public static String expand(String text, UnaryOperator<String> mapping) {
    StringBuilder out = null;
    int copied = 0;
    int n = text.length();
    for (int j = 0; j < n; j++) {
      if (text.charAt(j) != '$' || j + 1 >= n) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(n + 16);
      }
      out.append(text, copied, j);
      String rest = text.substring(j + 1);
      String name;
      int width;
      // Mirrors Go's getShellName: returns (name, bytes consumed after the '$').
      char c = rest.charAt(0);
      if (c == '{') {
        if (rest.length() > 2 && isSpecial(rest.charAt(1)) && rest.charAt(2) == '}') {
          name = rest.substring(1, 2);
          width = 3;
        } else {
          int close = rest.indexOf('}', 1);
          if (close == 1) {
            name = "";
            width = 2; // "${}" is eaten
          } else if (close < 0) {
            name = "";
            width = 1; // unterminated "${" is eaten
          } else {
            name = rest.substring(1, close);
            width = close + 1;
          }
        }
      } else if (isSpecial(c)) {
        name = rest.substring(0, 1);
        width = 1;
      } else {
        int i = 0;
        while (i < rest.length() && isAlphaNum(rest.charAt(i))) {
          i++;
        }
        name = rest.substring(0, i);
        width = i;
      }
      if (name.isEmpty() && width == 0) {
        out.append('$'); // "$" not followed by a name: leave it alone
      } else if (!name.isEmpty()) {
        out.append(mapping.apply(name));
      }
      j += width;
      copied = j + 1;
    }
    if (out == null) {
      return text;
    }
    return out.append(text, Math.min(copied, n), n).toString();
  }

  private static boolean isSpecial(char c) {
    return "*#$@!?-0123456789".indexOf(c) >= 0;
  }

  private static boolean isAlphaNum(char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
