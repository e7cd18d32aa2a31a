package dev.runnel.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed replica URL, split the way Litestream's {@code ParseReplicaURLWithQuery} splits it.
 *
 * <ul>
 *   <li>{@code file:///abs/dir} (and a bare path such as {@code /abs/dir}, which Runnel accepts as a
 *       file replica): {@link #path()} is the cleaned absolute path.
 *   <li>{@code s3://bucket/some/prefix?region=…}: {@link #host()} is {@code bucket}, {@link #path()}
 *       is {@code some/prefix} (cleaned, no leading {@code /}); {@code s3://bucket} gives {@code .}
 *       and {@code s3://bucket/} gives the empty string, exactly as in Litestream.
 *   <li>{@code s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/prefix}: the access point ARN is the
 *       host.
 * </ul>
 *
 * <p>Query parameters keep their first value. Use {@link #query(String, String)} to accept both the
 * camelCase and kebab-case spelling.
 *
 * @param scheme lower-case scheme ({@code file s3 gs abs sftp webdav webdavs nats oss})
 * @param host host (bucket for object stores, may include {@code :port}); empty for file
 * @param path see above
 * @param query decoded query parameters, first value per name
 * @param userInfo {@code user[:password]} before {@code @}, if any
 */
public record ReplicaUrl(
    String scheme, String host, String path, Map<String, String> query, Optional<String> userInfo) {

  private static final Pattern IS_URL = Pattern.compile("^\\w+://");

  public ReplicaUrl {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(path, "path");
    query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    Objects.requireNonNull(userInfo, "userInfo");
  }

  /** True when {@code s} starts with {@code scheme://} (Litestream's {@code IsURL}). */
  public static boolean isUrl(String s) {
    return s != null && IS_URL.matcher(s).find();
  }

  /**
   * Parses a replica URL or a bare local path.
   *
   * @throws IllegalArgumentException with a one-line reason for malformed URLs
   */
  public static ReplicaUrl parse(String raw) {
    Objects.requireNonNull(raw, "raw");
    if (raw.isBlank()) {
      throw new IllegalArgumentException("empty replica URL");
    }
    if (!isUrl(raw)) {
      if (raw.contains("://") || raw.matches("^[A-Za-z][A-Za-z0-9+.-]*:/[^/].*")) {
        throw new IllegalArgumentException("invalid replica URL \"" + raw + "\"");
      }
      return new ReplicaUrl("file", "", cleanPath(raw), Map.of(), Optional.empty());
    }
    int sep = raw.indexOf("://");
    String scheme = raw.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = raw.substring(sep + 3);
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    String rawQuery = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      rawQuery = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    Map<String, String> query = parseQuery(rawQuery, raw);

    if (scheme.equals("s3") && rest.toLowerCase(Locale.ROOT).startsWith("arn:")) {
      return parseAccessPoint(rest, query, raw);
    }

    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String rawPath = slash < 0 ? "" : rest.substring(slash);
    Optional<String> userInfo = Optional.empty();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      userInfo = Optional.of(decode(authority.substring(0, at), raw));
      authority = authority.substring(at + 1);
    }
    validateHost(authority, raw);
    String path = decode(rawPath, raw);

    if (scheme.equals("file")) {
      // Go formats the scheme-less URL back ("//host/path") before cleaning, so a host becomes the
      // first path segment.
      String joined = authority.isEmpty() ? path : "//" + authority + path;
      String cleaned = cleanPath(joined);
      if (cleaned.equals(".")) {
        throw new IllegalArgumentException("file replica URL has no path: \"" + raw + "\"");
      }
      return new ReplicaUrl(scheme, "", cleaned, Map.of(), Optional.empty());
    }
    String cleaned = cleanPath(path);
    if (cleaned.startsWith("/")) {
      cleaned = cleaned.substring(1);
    }
    return new ReplicaUrl(scheme, authority, cleaned, query, userInfo);
  }

  /**
   * Checks that {@code raw} is a well-formed replica URL (or a bare path) whose scheme this build
   * has a backend for.
   *
   * @throws IllegalArgumentException with a one-line reason otherwise
   */
  public static void checkSupported(String raw) {
    ReplicaUrl u = parse(raw);
    var known = dev.runnel.replica.ReplicaClients.knownSchemes();
    if (isUrl(raw) && !u.scheme().equals("file") && !known.contains(u.scheme())) {
      throw new IllegalArgumentException("unsupported replica URL scheme \"" + u.scheme() + "\" in " + raw
          + " (known: file, " + String.join(", ", known) + ")");
    }
  }

  /** The replica type this URL selects: the scheme, with {@code webdavs} folded into webdav. */
  public String type() {
    return scheme.equals("webdavs") ? "webdav" : scheme;
  }

  /** A query parameter under either spelling (camelCase first), if present and non-empty. */
  public Optional<String> query(String camelCase, String kebabCase) {
    String v = query.get(camelCase);
    if (v == null || v.isEmpty()) {
      v = query.get(kebabCase);
    }
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /**
   * Directory mode: appends a database's path relative to {@code dir} to a replica URL's path or to
   * a plain replica path, keeping the query. {@code s3://bucket/backups?region=x} + {@code
   * team-a/db2.db} → {@code s3://bucket/backups/team-a/db2.db?region=x}; {@code /backups} + {@code
   * team-a/db2.db} → {@code /backups/team-a/db2.db}. Backslashes in the relative path are treated
   * as separators.
   */
  public static String appendRelativePath(String urlOrPath, String relativePath) {
    String rel = cleanRelative(relativePath);
    if (rel.isEmpty()) {
      return urlOrPath;
    }
    if (!isUrl(urlOrPath)) {
      if (urlOrPath.isEmpty()) {
        return rel;
      }
      return cleanPath(urlOrPath + "/" + rel);
    }
    int sep = urlOrPath.indexOf("://");
    String head = urlOrPath.substring(0, sep + 3);
    String rest = urlOrPath.substring(sep + 3);
    int tailAt = indexOfAny(rest, '?', '#');
    String tail = tailAt < 0 ? "" : rest.substring(tailAt);
    rest = tailAt < 0 ? rest : rest.substring(0, tailAt);
    int slash = rest.indexOf('/');
    if (rest.toLowerCase(Locale.ROOT).startsWith("arn:")) {
      int ap = rest.toLowerCase(Locale.ROOT).indexOf(":accesspoint/");
      slash = ap < 0 ? -1 : rest.indexOf('/', ap + ":accesspoint/".length());
    }
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String basePath = slash < 0 ? "" : rest.substring(slash);
    String joined = basePath.isEmpty() ? rel : cleanPath(basePath + "/" + rel);
    return head + authority + "/" + stripLeadingSlash(joined) + tail;
  }

  /** Cleans a relative path: forward slashes, Go {@code path.Clean}, no leading {@code /}, "" for {@code .}. */
  static String cleanRelative(String relativePath) {
    String cleaned = stripLeadingSlash(cleanPath(relativePath.replace('\\', '/')));
    return cleaned.equals(".") ? "" : cleaned;
  }

  /** Go's {@code path.Clean}: lexical, forward slashes, {@code .} for empty. */
  static String cleanPath(String p) {
    if (p.isEmpty()) {
      return ".";
    }
    boolean rooted = p.startsWith("/");
    Deque<String> parts = new ArrayDeque<>();
    for (String seg : p.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
          parts.removeLast();
        } else if (!rooted) {
          parts.addLast("..");
        }
        continue;
      }
      parts.addLast(seg);
    }
    String joined = String.join("/", parts);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  private static ReplicaUrl parseAccessPoint(String rest, Map<String, String> query, String raw) {
    String lower = rest.toLowerCase(Locale.ROOT);
    String marker = ":accesspoint/";
    int idx = lower.indexOf(marker);
    if (idx < 0 || idx + marker.length() >= rest.length()) {
      throw new IllegalArgumentException("invalid S3 access point ARN in \"" + raw + "\"");
    }
    int slash = rest.indexOf('/', idx + marker.length());
    String arn = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : cleanRelative(decode(rest.substring(slash + 1), raw));
    return new ReplicaUrl("s3", arn, key, query, Optional.empty());
  }

  private static void validateHost(String host, String raw) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '\\' || c == '^') {
        throw new IllegalArgumentException(
            "invalid character " + quoteChar(c) + " in host name of \"" + raw + "\"");
      }
    }
    if (host.startsWith("[")) {
      return; // IPv6 literal; the port check below does not apply
    }
    int colon = host.lastIndexOf(':');
    if (colon >= 0) {
      String port = host.substring(colon + 1);
      if (!port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        throw new IllegalArgumentException("invalid port \":" + port + "\" in \"" + raw + "\"");
      }
    }
  }

  private static Map<String, String> parseQuery(String rawQuery, String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '), raw);
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1).replace('+', ' '), raw);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static String decode(String s, String raw) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
          String bad = s.substring(i, Math.min(s.length(), i + 3));
          throw new IllegalArgumentException("invalid URL escape \"" + bad + "\" in \"" + raw + "\"");
        }
        bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private static String quoteChar(char c) {
    return Character.isISOControl(c) || Character.isWhitespace(c)
        ? String.format("U+%04X", (int) c)
        : "'" + c + "'";
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  private static String stripLeadingSlash(String s) {
    return s.startsWith("/") ? s.substring(1) : s;
  }

  /**
   * What an S3 URL host says about the bucket ({@code s3.ParseHost} in Litestream plus AWS virtual
   * host names).
   *
   * @param bucket bucket name; empty when the host names only a server ({@code host:port})
   * @param region region encoded in the host name, if any
   * @param endpoint endpoint implied by the host name, if any
   * @param forcePathStyle whether that provider needs path-style requests
   */
  public record S3Host(
      String bucket, Optional<String> region, Optional<String> endpoint, boolean forcePathStyle) {

    private static final Pattern AWS_GLOBAL = Pattern.compile("^(.+)\\.s3\\.amazonaws\\.com$");
    private static final Pattern AWS_REGIONAL =
        Pattern.compile("^(.+)\\.s3[.-]([a-z0-9-]+)\\.amazonaws\\.com$");
    private static final Pattern DIGITALOCEAN =
        Pattern.compile("^(?:(.+)\\.)?([^.]+)\\.digitaloceanspaces\\.com$");
    private static final Pattern BACKBLAZE =
        Pattern.compile("^(?:(.+)\\.)?s3\\.([^.]+)\\.backblazeb2\\.com$");
    private static final Pattern FILEBASE = Pattern.compile("^(?:(.+)\\.)?s3\\.filebase\\.com$");
    private static final Pattern SCALEWAY =
        Pattern.compile("^(?:(.+)\\.)?s3\\.([^.]+)\\.scw\\.cloud$");

    /** Interprets an {@code s3://} URL host. */
    public static S3Host parse(String host) {
      if (host.contains(":") && !host.contains(".com")) {
        // MinIO style: bucket.host:port, plain http like Litestream.
        int dot = host.indexOf('.');
        if (dot >= 0) {
          return new S3Host(
              host.substring(0, dot),
              Optional.of(S3Replica.DEFAULT_REGION),
              Optional.of("http://" + host.substring(dot + 1)),
              true);
        }
        return new S3Host("", Optional.empty(), Optional.of("http://" + host), true);
      }
      Matcher m;
      if ((m = AWS_GLOBAL.matcher(host)).matches()) {
        return new S3Host(m.group(1), Optional.empty(), Optional.empty(), false);
      }
      if ((m = AWS_REGIONAL.matcher(host)).matches()) {
        return new S3Host(m.group(1), Optional.of(m.group(2)), Optional.empty(), false);
      }
      if ((m = DIGITALOCEAN.matcher(host)).matches()) {
        return new S3Host(
            nullToEmpty(m.group(1)),
            Optional.of(m.group(2)),
            Optional.of("https://" + m.group(2) + ".digitaloceanspaces.com"),
            false);
      }
      if ((m = BACKBLAZE.matcher(host)).matches()) {
        return new S3Host(
            nullToEmpty(m.group(1)),
            Optional.of(m.group(2)),
            Optional.of("https://s3." + m.group(2) + ".backblazeb2.com"),
            true);
      }
      if ((m = FILEBASE.matcher(host)).matches()) {
        return new S3Host(
            nullToEmpty(m.group(1)), Optional.empty(), Optional.of("https://s3.filebase.com"), true);
      }
      if ((m = SCALEWAY.matcher(host)).matches()) {
        return new S3Host(
            nullToEmpty(m.group(1)),
            Optional.of(m.group(2)),
            Optional.of("https://s3." + m.group(2) + ".scw.cloud"),
            false);
      }
      return new S3Host(host, Optional.empty(), Optional.empty(), false);
    }

    private static String nullToEmpty(String s) {
      return s == null ? "" : s;
    }
  }
}
