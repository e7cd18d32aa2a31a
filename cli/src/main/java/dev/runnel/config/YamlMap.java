package dev.runnel.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping with typed, line-aware getters. Every getter registers its key as known, so after
 * all getters ran {@link #reportUnknown} can warn about the keys nobody asked for (Litestream
 * ignores them silently; Runnel says so). Type and value errors go to {@link Problems} and the
 * getter returns empty, so parsing continues and all problems are collected.
 */
final class YamlMap {
  private record Entry(Node key, Node value) {}

  private final MappingNode node;
  private final int line;
  private final String path;
  private final Problems problems;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  YamlMap(MappingNode node, String path, Problems problems) {
    this(node, line(node), path, problems);
  }

  /** {@code line} is where messages about the mapping as a whole point: its key's line. */
  YamlMap(MappingNode node, int line, String path, Problems problems) {
    this.node = node;
    this.line = line;
    this.path = path;
    this.problems = problems;
    List<Entry> merged = new ArrayList<>();
    for (NodeTuple t : node.getValue()) {
      Node k = t.getKeyNode();
      if (k.getTag().equals(Tag.MERGE)) {
        collectMerge(t.getValueNode(), merged);
        continue;
      }
      if (!(k instanceof ScalarNode s)) {
        problems.error(line(k), path, "mapping keys must be plain names");
        continue;
      }
      Entry previous = entries.put(s.getValue(), new Entry(k, t.getValueNode()));
      if (previous != null) {
        problems.warn(
            line(k),
            "duplicate key '" + keyPath(s.getValue()) + "' (this one wins over line "
                + line(previous.key()) + ")");
      }
    }
    // Explicit keys win over "<<: *anchor" merges, whatever their order.
    for (Entry e : merged) {
      entries.putIfAbsent(((ScalarNode) e.key()).getValue(), e);
    }
  }

  private void collectMerge(Node value, List<Entry> out) {
    if (value instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode) {
          out.add(new Entry(t.getKeyNode(), t.getValueNode()));
        }
      }
    } else if (value instanceof SequenceNode seq) {
      for (Node n : seq.getValue()) {
        collectMerge(n, out);
      }
    } else {
      problems.error(line(value), path, "'<<' merge needs a mapping or a list of mappings");
    }
  }

  static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  int line() {
    return line;
  }

  String path() {
    return path;
  }

  Problems problems() {
    return problems;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Line of {@code key} itself, or of this mapping when the key is absent. */
  int lineOf(String key) {
    Entry e = entries.get(key);
    return e == null ? line() : line(e.key());
  }

  boolean has(String key) {
    known.add(key);
    return value(key).isPresent();
  }

  /** The raw value node, empty when absent or null ({@code key:} or {@code key: ~}). */
  Optional<Node> value(String key) {
    known.add(key);
    Entry e = entries.get(key);
    if (e == null || isNull(e.value())) {
      return Optional.empty();
    }
    return Optional.of(e.value());
  }

  Optional<String> string(String key) {
    return scalar(key, "a string").map(ScalarNode::getValue);
  }

  Optional<Secret> secret(String key) {
    return string(key).map(Secret::new);
  }

  Optional<Boolean> bool(String key) {
    Optional<ScalarNode> s = scalar(key, "true or false");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String v = s.get().getValue().toLowerCase(Locale.ROOT);
    switch (v) {
      case "true", "yes", "on", "y":
        return Optional.of(true);
      case "false", "no", "off", "n":
        return Optional.of(false);
      default:
        error(key, "invalid boolean \"" + s.get().getValue() + "\" (expected true or false)");
        return Optional.empty();
    }
  }

  Optional<Duration> duration(String key) {
    Optional<ScalarNode> s = scalar(key, "a duration such as 30s");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String text = s.get().getValue();
    if (s.get().getTag().equals(Tag.INT)) {
      Optional<Long> n = parseInt(text);
      if (n.isPresent()) {
        if (n.get() != 0) {
          // yaml.v2 decodes a bare integer into time.Duration as nanoseconds; keep that, but say so.
          problems.warn(
              lineOf(key),
              keyPath(key) + ": bare number " + text + " is " + text
                  + " nanoseconds; add a unit (e.g. " + text + "s)");
        }
        return Optional.of(Duration.ofNanos(n.get()));
      }
    }
    try {
      return Optional.of(GoDuration.parse(text));
    } catch (IllegalArgumentException e) {
      error(key, "invalid duration \"" + text + "\" (expected e.g. 500ms, 30s, 1m, 1h30m)");
      return Optional.empty();
    }
  }

  /** A duration that must be greater than 0; zero or negative is reported and read as empty. */
  Optional<Duration> positiveDuration(String key) {
    Optional<Duration> d = duration(key);
    if (d.isPresent() && (d.get().isZero() || d.get().isNegative())) {
      error(key, "must be greater than 0, got " + GoDuration.format(d.get()));
      return Optional.empty();
    }
    return d;
  }

  Optional<Long> size(String key) {
    Optional<ScalarNode> s = scalar(key, "a size such as 5MiB");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ByteSize.parse(s.get().getValue()));
    } catch (IllegalArgumentException e) {
      error(
          key,
          "invalid size \"" + s.get().getValue() + "\" (expected e.g. 5MiB, 5MB, 1GB or a byte count)");
      return Optional.empty();
    }
  }

  Optional<Long> integer(String key) {
    Optional<ScalarNode> s = scalar(key, "a whole number");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Optional<Long> n = parseInt(s.get().getValue());
    if (n.isEmpty()) {
      error(key, "invalid number \"" + s.get().getValue() + "\" (expected a whole number)");
    }
    return n;
  }

  /**
   * A decimal number (YAML int or float: {@code 1}, {@code 0.5}, {@code 2e3}, {@code .inf},
   * {@code -.inf}, {@code .nan}); anything else is reported and read as empty.
   */
  Optional<Double> number(String key) {
    Optional<ScalarNode> s = scalar(key, "a number");
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String text = s.get().getValue();
    Optional<Double> n = parseNumber(text);
    if (n.isEmpty()) {
      error(key, "invalid number \"" + text + "\" (expected e.g. 1, 0.5 or .inf)");
    }
    return n;
  }

  /** YAML 1.1's float forms; Java-only spellings such as {@code Infinity} or {@code 1d} are not numbers. */
  static Optional<Double> parseNumber(String text) {
    String t = text.trim();
    switch (t.toLowerCase(Locale.ROOT)) {
      case ".inf", "+.inf":
        return Optional.of(Double.POSITIVE_INFINITY);
      case "-.inf":
        return Optional.of(Double.NEGATIVE_INFINITY);
      case ".nan":
        return Optional.of(Double.NaN);
      default:
        break;
    }
    if (!t.matches("[-+]?(\\d[\\d_]*(\\.[\\d_]*)?|\\.\\d[\\d_]*)([eE][-+]?\\d+)?")) {
      return Optional.empty();
    }
    return Optional.of(Double.parseDouble(t.replace("_", "")));
  }

  Optional<List<String>> stringList(String key) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (!(v.get() instanceof SequenceNode seq)) {
      error(key, "expected a list, got " + describe(v.get()));
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    for (Node n : seq.getValue()) {
      if (n instanceof ScalarNode s && !isNull(s)) {
        out.add(s.getValue());
      } else if (!isNull(n)) {
        problems.error(line(n), keyPath(key), "list items must be strings, got " + describe(n));
      }
    }
    return Optional.of(out);
  }

  Optional<YamlMap> map(String key) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (!(v.get() instanceof MappingNode m)) {
      error(key, "expected a mapping, got " + describe(v.get()));
      return Optional.empty();
    }
    return Optional.of(new YamlMap(m, lineOf(key), keyPath(key), problems));
  }

  Optional<List<Node>> list(String key) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (!(v.get() instanceof SequenceNode seq)) {
      error(key, "expected a list, got " + describe(v.get()));
      return Optional.empty();
    }
    return Optional.of(seq.getValue());
  }

  /** Reports an invalid value of {@code key} at its line. */
  void error(String key, String message) {
    problems.error(lineOf(key), keyPath(key), message);
  }

  /**
   * Warns about every key no getter asked for.
   *
   * @param hints explanations for keys known to be obsolete, e.g. {@code retention} → {@code
   *     removed in Litestream 0.5}
   */
  void reportUnknown(Map<String, String> hints) {
    reportUnknown(hints, false);
  }

  /** Reports every key no getter asked for as an error (strict formats such as the serve config). */
  void rejectUnknown() {
    reportUnknown(Map.of(), true);
  }

  private void reportUnknown(Map<String, String> hints, boolean strict) {
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      String key = e.getKey();
      if (known.contains(key)) {
        continue;
      }
      String hint = hints.get(key);
      if (hint == null) {
        hint = suggestion(key).map(s -> "did you mean '" + s + "'?").orElse(null);
      }
      if (strict) {
        problems.error(line(e.getValue().key()), "",
            "unknown key '" + keyPath(key) + "'" + (hint == null ? "" : " (" + hint + ")"));
        continue;
      }
      problems.warn(
          line(e.getValue().key()),
          "unknown key '" + keyPath(key) + "' (ignored" + (hint == null ? "" : "; " + hint) + ")");
    }
  }

  private Optional<String> suggestion(String key) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = distance(key.toLowerCase(Locale.ROOT), k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private Optional<ScalarNode> scalar(String key, String expected) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (!(v.get() instanceof ScalarNode s)) {
      error(key, "expected " + expected + ", got " + describe(v.get()));
      return Optional.empty();
    }
    return Optional.of(s);
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  static String describe(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) n;
    return "\"" + s.getValue() + "\"";
  }

  /** YAML 1.1 integers as SnakeYAML resolves them: decimal, 0x hex, 0b binary, 0-prefixed octal, '_' separators. */
  static Optional<Long> parseInt(String text) {
    String s = text.replace("_", "");
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    try {
      long v;
      if (s.startsWith("0x") || s.startsWith("0X")) {
        v = Long.parseLong(s.substring(2), 16);
      } else if (s.startsWith("0b")) {
        v = Long.parseLong(s.substring(2), 2);
      } else if (s.startsWith("0o")) {
        v = Long.parseLong(s.substring(2), 8);
      } else if (s.length() > 1 && s.startsWith("0")) {
        v = Long.parseLong(s.substring(1), 8);
      } else {
        v = Long.parseLong(s);
      }
      return Optional.of(negative ? -v : v);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
