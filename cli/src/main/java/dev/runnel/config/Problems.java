package dev.runnel.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects errors and warnings while parsing, so every problem is reported, not just the first. */
final class Problems {
  private record Entry(int line, int seq, String text) {}

  private final String source;
  private final List<Entry> errors = new ArrayList<>();
  private final List<Entry> warnings = new ArrayList<>();
  private int seq;

  Problems(String source) {
    this.source = source;
  }

  String source() {
    return source;
  }

  /** Records {@code <source>:<line>: <key>: <message>}; an empty key is left out. */
  void error(int line, String key, String message) {
    errors.add(new Entry(line, seq++, prefix(line) + (key.isEmpty() ? "" : key + ": ") + message));
  }

  /** Records {@code warning: <source>:<line>: <message>}. */
  void warn(int line, String message) {
    warnings.add(new Entry(line, seq++, "warning: " + prefix(line) + message));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  List<String> errors() {
    return sorted(errors);
  }

  List<String> warnings() {
    return sorted(warnings);
  }

  private String prefix(int line) {
    return line > 0 ? source + ":" + line + ": " : source + ": ";
  }

  private static List<String> sorted(List<Entry> entries) {
    // File order reads best; problems without a line (0) go last, otherwise keep discovery order.
    return entries.stream()
        .sorted(
            Comparator.comparingInt((Entry e) -> e.line() == 0 ? Integer.MAX_VALUE : e.line())
                .thenComparingInt(Entry::seq))
        .map(Entry::text)
        .toList();
  }
}
