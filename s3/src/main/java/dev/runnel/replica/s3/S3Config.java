package dev.runnel.replica.s3;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing helpers for {@link S3ReplicaClient.Config}: URL forms, option names, sizes, durations. */
final class S3Config {
  static final long DEFAULT_PART_SIZE = 5L * 1024 * 1024;
  static final String GCS_ENDPOINT = "https://storage.googleapis.com";

  private static final Pattern AWS_HOST =
      Pattern.compile("^(.+)\\.s3[.-]([a-z0-9-]+)\\.amazonaws\\.com$", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)\\s*$");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private S3Config() {}

  /** Lower-case with {@code -} and {@code _} removed: camelCase and kebab-case keys compare equal. */
  static String normKey(String k) {
    return k.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }

  static Map<String, String> normalise(Map<String, String> options) {
    Map<String, String> out = new HashMap<>();
    options.forEach((k, v) -> {
      if (k != null && v != null) {
        out.putIfAbsent(normKey(k), v);
      }
    });
    return out;
  }

  /** Go's {@code path.Clean}, then the leading slash removed; empty becomes {@code .}. */
  static String cleanPath(String p) {
    if (p == null) {
      p = "";
    }
    boolean rooted = p.startsWith("/");
    String[] parts = p.split("/");
    java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
    for (String s : parts) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!out.isEmpty() && !out.peekLast().equals("..")) {
          out.removeLast();
        } else if (!rooted) {
          out.addLast("..");
        }
        continue;
      }
      out.addLast(s);
    }
    String joined = String.join("/", out);
    return joined.isEmpty() ? "." : joined;
  }

  /** Go's {@code strconv.ParseBool}. */
  static boolean parseBool(String key, String v) {
    switch (v.trim()) {
      case "1", "t", "T", "true", "TRUE", "True" -> {
        return true;
      }
      case "0", "f", "F", "false", "FALSE", "False" -> {
        return false;
      }
      default -> throw new IllegalArgumentException("invalid boolean for " + key + ": \"" + v + "\"");
    }
  }

  /** Bytes: a plain number, or go-humanize forms such as {@code 5MB} (10^6) and {@code 5MiB} (2^20). */
  static long parseSize(String key, String v) {
    Matcher m = SIZE.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size for " + key + ": \"" + v + "\"");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    long mult = switch (unit) {
      case "", "b" -> 1L;
      case "k", "kb" -> 1000L;
      case "kib", "ki" -> 1024L;
      case "m", "mb" -> 1000L * 1000;
      case "mib", "mi" -> 1024L * 1024;
      case "g", "gb" -> 1000L * 1000 * 1000;
      case "gib", "gi" -> 1024L * 1024 * 1024;
      default -> throw new IllegalArgumentException("invalid size unit for " + key + ": \"" + v + "\"");
    };
    return (long) (n * mult);
  }

  /** A Go duration ({@code 500ms}, {@code 1m30s}) or plain milliseconds. */
  static Duration parseDuration(String key, String v) {
    String s = v.trim();
    if (s.matches("\\d+")) {
      return Duration.ofMillis(Long.parseLong(s));
    }
    Matcher m = DURATION.matcher(s);
    long nanos = 0;
    int pos = 0;
    while (m.find()) {
      if (m.start() != pos) {
        break;
      }
      double n = Double.parseDouble(m.group(1));
      nanos += (long) (n * switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      });
      pos = m.end();
    }
    if (pos != s.length() || pos == 0) {
      throw new IllegalArgumentException("invalid duration for " + key + ": \"" + v + "\"");
    }
    return Duration.ofNanos(nanos);
  }

  /**
   * Applies a replica URL to a builder: scheme {@code s3} or {@code gs}, host = bucket (or the
   * AWS virtual-host form {@code bucket.s3.<region>.amazonaws.com}), path = key prefix.
   */
  static void applyUrl(S3ReplicaClient.Config.Builder b, URI url) {
    String scheme = Objects.requireNonNull(url.getScheme(), "scheme").toLowerCase(Locale.ROOT);
    String host = url.getHost() != null ? url.getHost() : url.getAuthority();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("replica URL has no bucket: " + url);
    }
    if (url.getPort() > 0 && url.getHost() != null) {
      // MinIO style bucket.host:port → endpoint http://host:port, bucket = first label.
      int dot = host.indexOf('.');
      if (dot > 0) {
        b.endpoint("http://" + host.substring(dot + 1) + ":" + url.getPort());
        host = host.substring(0, dot);
      } else {
        throw new IllegalArgumentException("replica URL " + url + ": a port needs the form bucket.host:port");
      }
    }
    Matcher aws = AWS_HOST.matcher(host);
    if (aws.matches()) {
      b.region(aws.group(2));
      host = aws.group(1);
    }
    b.bucket(host);
    b.path(cleanPath(url.getPath()));
    if (scheme.equals("gs")) {
      b.type("gs").endpoint(GCS_ENDPOINT).region("auto").forcePathStyle(true);
    } else if (!scheme.equals("s3")) {
      throw new IllegalArgumentException("not an s3:// or gs:// URL: " + url);
    }
  }

  /** {@link S3ReplicaClient.Config.Builder#options}: applies the known keys, ignores the rest. */
  static void applyOptions(S3ReplicaClient.Config.Builder b, Map<String, String> options) {
    Map<String, String> o = normalise(options);
    if (o.containsKey("bucket")) {
      b.bucket(o.get("bucket"));
    }
    if (o.containsKey("path")) {
      b.path(o.get("path"));
    }
    if (o.containsKey("endpoint")) {
      b.endpoint(o.get("endpoint"));
    }
    if (o.containsKey("region")) {
      b.region(o.get("region"));
    }
    if (o.containsKey("forcepathstyle")) {
      b.forcePathStyle(parseBool("forcePathStyle", o.get("forcepathstyle")));
    }
    if (o.containsKey("accesskeyid") || o.containsKey("secretaccesskey")) {
      b.credentials(o.get("accesskeyid"), o.get("secretaccesskey"));
    }
    if (o.containsKey("partsize")) {
      b.partSize(parseSize("partSize", o.get("partsize")));
    }
    if (o.containsKey("concurrency")) {
      b.concurrency(Integer.parseInt(o.get("concurrency").trim()));
    }
    if (o.containsKey("skipverify")) {
      b.skipVerify(parseBool("skipVerify", o.get("skipverify")));
    }
    if (o.containsKey("storageclass")) {
      b.storageClass(o.get("storageclass"));
    }
    if (o.containsKey("signpayload")) {
      b.signPayload(parseBool("signPayload", o.get("signpayload")));
    }
    if (o.containsKey("requirecontentmd5")) {
      b.requireContentMD5(parseBool("requireContentMD5", o.get("requirecontentmd5")));
    }
    if (o.containsKey("connecttimeout")) {
      b.connectTimeout(parseDuration("connectTimeout", o.get("connecttimeout")));
    }
    if (o.containsKey("readtimeout")) {
      b.readTimeout(parseDuration("readTimeout", o.get("readtimeout")));
    }
    if (o.containsKey("maxattempts")) {
      b.maxAttempts(Integer.parseInt(o.get("maxattempts").trim()));
    }
    if (o.containsKey("listpagesize")) {
      b.listPageSize(Integer.parseInt(o.get("listpagesize").trim()));
    }
    if (o.containsKey("conditionaldelete")) {
      b.conditionalDelete(S3ReplicaClient.ConditionalDelete.valueOf(o.get("conditionaldelete").trim().toUpperCase(Locale.ROOT)));
    }
  }
}
