package dev.runnel.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line the way a POSIX shell splits words (Litestream uses go-shellwords for
 * {@code exec}): blanks separate words, single quotes keep everything literally, double quotes keep
 * blanks and allow {@code \"}, {@code \\}, {@code \$} and {@code \`} escapes, a backslash outside
 * quotes escapes the next character. No variable expansion, globbing or operators.
 */
final class ShellWords {
  private ShellWords() {}

  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated single quote in: " + line);
        }
        cur.append(line, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = line.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
            if (line.charAt(i + 1) != '\n') {
              cur.append(line.charAt(i + 1));
            }
            i += 2;
            continue;
          }
          cur.append(d);
          i++;
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated double quote in: " + line);
        }
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 < n) {
          if (line.charAt(i + 1) != '\n') {
            cur.append(line.charAt(i + 1));
            inWord = true;
          }
          i += 2;
        } else {
          i++;
        }
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
        i++;
      } else {
        cur.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }
}
