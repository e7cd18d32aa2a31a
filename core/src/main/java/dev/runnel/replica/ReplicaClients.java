package dev.runnel.replica;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replica.file.FileReplicaClientFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Opens replica clients from a URL or a plain path, choosing the backend by URL scheme among the
 * {@link ReplicaClientFactory} implementations visible to the thread's context class loader.
 *
 * <h2>Accepted forms</h2>
 * <ul>
 *   <li>A string starting with {@code <word>://} (Litestream's test, regex {@code ^\w+://}) is a
 *       URL; the scheme is matched case-insensitively. Query parameters become options.</li>
 *   <li>{@code file:///abs/path} (or {@code file://localhost/abs/path}) is a file replica at that
 *       absolute path. {@code file://dir/x} is rejected (see
 *       {@link dev.runnel.replica.file.FileReplicaClientFactory}).</li>
 *   <li>Anything else, e.g. {@code /backups/db}, {@code backups/db}, {@code C:\backups\db} or
 *       {@code file:relative}, is a local path, as in Litestream's {@code path:} setting.</li>
 * </ul>
 * Clients are returned uninitialised: call {@link ReplicaClient#init()}. Thread-safe; factories
 * are looked up on every call so that late-registered backends are found.
 */
public final class ReplicaClients {
  private static final Pattern URL_PREFIX = Pattern.compile("^\\w+://.*", Pattern.DOTALL);

  private ReplicaClients() {}

  /** {@link #open(String, Map)} without options. */
  public static ReplicaClient open(String urlOrPath) {
    return open(urlOrPath, Map.of());
  }

  /**
   * Opens a client for a replica URL or path.
   *
   * @param options backend settings; they win over query parameters of the same name
   * @throws IllegalArgumentException if the URL is malformed, its scheme has no registered
   *     backend (the message lists the known schemes), or the backend rejects it
   */
  public static ReplicaClient open(String urlOrPath, Map<String, String> options) {
    if (urlOrPath == null || urlOrPath.isBlank()) {
      throw new IllegalArgumentException("replica URL or path is empty");
    }
    if (!URL_PREFIX.matcher(urlOrPath).matches()) {
      if (urlOrPath.regionMatches(true, 0, "file:", 0, 5)) {
        return new FileReplicaClientFactory().create(parse(urlOrPath), Map.copyOf(options));
      }
      return FileReplicaClient.create(Path.of(urlOrPath));
    }
    URI url = parse(urlOrPath);
    return create(factory(url, urlOrPath), url, options);
  }

  /**
   * {@link #open(String)} for many URLs of one scheme, e.g. one replica per tenant under a base
   * URL, with the backend looked up once, now, from {@code base}: each lookup scans the class path
   * for {@link ReplicaClientFactory} services (about 0.1 ms with one jar, more with many), which a
   * tenant's cold start need not pay every time. The returned function is thread-safe and rejects
   * URLs of another scheme.
   *
   * @throws IllegalArgumentException as {@link #open(String, Map)}, for {@code base}'s scheme
   */
  public static java.util.function.Function<String, ReplicaClient> opener(String base) {
    if (base == null || base.isBlank()) {
      throw new IllegalArgumentException("replica URL or path is empty");
    }
    if (!URL_PREFIX.matcher(base).matches()) {
      return ReplicaClients::open; // plain paths and file: need no lookup
    }
    URI baseUrl = parse(base);
    String scheme = baseUrl.getScheme();
    ReplicaClientFactory factory = factory(baseUrl, base);
    return urlOrPath -> {
      if (urlOrPath == null || !URL_PREFIX.matcher(urlOrPath).matches()) {
        throw new IllegalArgumentException("expected a " + scheme + ":// URL, got " + urlOrPath);
      }
      URI url = parse(urlOrPath);
      if (!url.getScheme().equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("expected a " + scheme + ":// URL, got " + urlOrPath);
      }
      return create(factory, url, Map.of());
    };
  }

  private static ReplicaClientFactory factory(URI url, String urlOrPath) {
    String scheme = url.getScheme().toLowerCase(java.util.Locale.ROOT);
    SortedMap<String, ReplicaClientFactory> known = factories();
    ReplicaClientFactory factory = known.get(scheme);
    if (factory == null) {
      throw new IllegalArgumentException(
          "unsupported replica URL scheme \"" + scheme + "\" in " + urlOrPath + ": known schemes are "
              + known.keySet());
    }
    return factory;
  }

  private static ReplicaClient create(ReplicaClientFactory factory, URI url, Map<String, String> options) {
    Map<String, String> merged = new LinkedHashMap<>(queryOptions(url));
    merged.putAll(options);
    return factory.create(url, Map.copyOf(merged));
  }

  /** The schemes of all registered backends, sorted. */
  public static SortedSet<String> knownSchemes() {
    return new TreeSet<>(factories().keySet());
  }

  private static SortedMap<String, ReplicaClientFactory> factories() {
    SortedMap<String, ReplicaClientFactory> byScheme = new TreeMap<>();
    for (ReplicaClientFactory f : ServiceLoader.load(ReplicaClientFactory.class)) {
      String s = f.scheme().toLowerCase(java.util.Locale.ROOT);
      ReplicaClientFactory prev = byScheme.putIfAbsent(s, f);
      if (prev != null && !prev.getClass().equals(f.getClass())) {
        throw new IllegalStateException("two replica backends claim scheme \"" + s + "\": "
            + prev.getClass().getName() + " and " + f.getClass().getName());
      }
    }
    return byScheme;
  }

  private static URI parse(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid replica URL " + url + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> queryOptions(URI url) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = url.getRawQuery();
    if (q == null || q.isEmpty()) {
      return out;
    }
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      // First value wins, as Go's url.Values.Get does.
      out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
