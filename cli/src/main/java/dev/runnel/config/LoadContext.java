package dev.runnel.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything outside the file that loading depends on, injected so tests never touch the real
 * process environment.
 *
 * @param env environment variables as given (aliases are applied by {@link #effectiveEnv()})
 * @param pid process id, for {@code $PID}
 * @param workingDir directory relative paths in the config are resolved against
 * @param homeDir directory {@code ~} expands to
 */
public record LoadContext(Map<String, String> env, long pid, Path workingDir, Path homeDir) {

  /** Default config path when neither {@code -config} nor {@code LITESTREAM_CONFIG} is given. */
  public static final String DEFAULT_CONFIG_PATH = "/etc/litestream.yml";

  public LoadContext {
    env = Map.copyOf(env);
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(homeDir, "homeDir");
  }

  /** The real process: {@code System.getenv()}, its pid, {@code user.dir} and {@code user.home}. */
  public static LoadContext system() {
    return new LoadContext(
        System.getenv(),
        ProcessHandle.current().pid(),
        Path.of(System.getProperty("user.dir")),
        Path.of(System.getProperty("user.home")));
  }

  /**
   * The environment with Litestream's aliases applied ({@code applyLitestreamEnv}): {@code
   * LITESTREAM_ACCESS_KEY_ID} / {@code LITESTREAM_SECRET_ACCESS_KEY} are copied to {@code
   * AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} when those are not set at all (set but
   * empty counts as set, as with Go's {@code LookupEnv}). Litestream does this before reading the
   * config, so {@code ${AWS_ACCESS_KEY_ID}} in the file sees the alias too.
   */
  public Map<String, String> effectiveEnv() {
    Map<String, String> out = new LinkedHashMap<>(env);
    alias(out, "LITESTREAM_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID");
    alias(out, "LITESTREAM_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY");
    return Map.copyOf(out);
  }

  private static void alias(Map<String, String> env, String from, String to) {
    if (env.containsKey(from) && !env.containsKey(to)) {
      env.put(to, env.get(from));
    }
  }

  /**
   * Litestream's {@code expand}: strips a {@code sqlite://} or {@code sqlite3://} prefix, expands a
   * leading {@code ~} or {@code ~/}, and makes the path absolute and normalised.
   */
  public Path expandPath(String raw) {
    String s = stripSqlitePrefix(raw);
    Path p;
    if (s.equals("~")) {
      p = homeDir;
    } else if (s.startsWith("~/")) {
      p = homeDir.resolve(s.substring(2));
    } else {
      p = workingDir.resolve(s);
    }
    return p.toAbsolutePath().normalize();
  }

  /** Removes a leading {@code sqlite3://} or {@code sqlite://} (connection-string style paths). */
  public static String stripSqlitePrefix(String s) {
    for (String prefix : new String[] {"sqlite3://", "sqlite://"}) {
      if (s.startsWith(prefix)) {
        return s.substring(prefix.length());
      }
    }
    return s;
  }
}
