package dev.runnel.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-replica keys (Litestream's {@code ReplicaSettings}) read from one mapping: a replica
 * block, or the top level where they act as defaults for every replica. Values are already typed
 * ({@link String}, {@link Secret}, {@link Boolean}, {@link Duration}, {@link Long}, {@code
 * List<String>}) and remember where they were written, so a bad inherited value is reported at the
 * global key's line.
 */
final class ReplicaSettings {

  enum Kind {
    STRING,
    SECRET,
    BOOL,
    DURATION,
    SIZE,
    INT,
    STRING_LIST
  }

  /** A typed value and where it was written. */
  record Setting(Object value, int line, String keyPath, boolean inherited) {}

  /** Every per-replica key except the identity keys ({@code type name path url}). */
  static final Map<String, Kind> KEYS = keys();

  private final Map<String, Setting> values;

  private ReplicaSettings(Map<String, Setting> values) {
    this.values = values;
  }

  private static Map<String, Kind> keys() {
    Map<String, Kind> k = new LinkedHashMap<>();
    // common
    k.put("sync-interval", Kind.DURATION);
    k.put("validation-interval", Kind.DURATION);
    k.put("max-sync-ltx-files", Kind.INT);
    k.put("auto-recover", Kind.BOOL);
    // s3 (also gs through S3 interop, oss)
    k.put("access-key-id", Kind.STRING);
    k.put("secret-access-key", Kind.SECRET);
    k.put("region", Kind.STRING);
    k.put("bucket", Kind.STRING);
    k.put("endpoint", Kind.STRING);
    k.put("force-path-style", Kind.BOOL);
    k.put("sign-payload", Kind.BOOL);
    k.put("require-content-md5", Kind.BOOL);
    k.put("skip-verify", Kind.BOOL);
    k.put("storage-class", Kind.STRING);
    k.put("part-size", Kind.SIZE);
    k.put("concurrency", Kind.INT);
    k.put("sse-customer-algorithm", Kind.STRING);
    k.put("sse-customer-key", Kind.SECRET);
    k.put("sse-customer-key-path", Kind.STRING);
    k.put("sse-kms-key-id", Kind.STRING);
    // abs
    k.put("account-name", Kind.STRING);
    k.put("account-key", Kind.SECRET);
    k.put("sas-token", Kind.SECRET);
    // sftp
    k.put("host", Kind.STRING);
    k.put("user", Kind.STRING);
    k.put("password", Kind.SECRET);
    k.put("key-path", Kind.STRING);
    k.put("host-key", Kind.STRING);
    k.put("concurrent-writes", Kind.BOOL);
    // webdav
    k.put("webdav-url", Kind.STRING);
    k.put("webdav-username", Kind.STRING);
    k.put("webdav-password", Kind.SECRET);
    // nats
    k.put("jwt", Kind.SECRET);
    k.put("seed", Kind.SECRET);
    k.put("creds", Kind.STRING);
    k.put("nkey", Kind.SECRET);
    k.put("username", Kind.STRING);
    k.put("token", Kind.SECRET);
    k.put("tls", Kind.BOOL);
    k.put("root-cas", Kind.STRING_LIST);
    k.put("client-cert", Kind.STRING);
    k.put("client-key", Kind.STRING);
    k.put("max-reconnects", Kind.INT);
    k.put("reconnect-wait", Kind.DURATION);
    k.put("timeout", Kind.DURATION);
    return Collections.unmodifiableMap(k);
  }

  /**
   * Reads every per-replica key present in {@code m}, registering all of them as known. Also
   * rejects {@code age} encryption, which Litestream 0.5 does not support.
   */
  static ReplicaSettings read(YamlMap m) {
    Map<String, Setting> out = new LinkedHashMap<>();
    for (Map.Entry<String, Kind> e : KEYS.entrySet()) {
      String key = e.getKey();
      Optional<?> v =
          switch (e.getValue()) {
            case STRING -> m.string(key);
            case SECRET -> m.secret(key);
            case BOOL -> m.bool(key);
            case DURATION -> m.duration(key);
            case SIZE -> m.size(key);
            case INT -> m.integer(key);
            case STRING_LIST -> m.stringList(key);
          };
      v.ifPresent(value -> out.put(key, new Setting(value, m.lineOf(key), m.keyPath(key), false)));
    }
    m.map("age")
        .ifPresent(
            age -> {
              boolean identities = age.stringList("identities").map(l -> !l.isEmpty()).orElse(false);
              boolean recipients = age.stringList("recipients").map(l -> !l.isEmpty()).orElse(false);
              age.reportUnknown(Map.of());
              if (identities || recipients) {
                m.error(
                    "age",
                    "age encryption is not currently supported (removed in Litestream 0.5;"
                        + " use Litestream 0.3.x if you need it)");
              }
            });
    return new ReplicaSettings(out);
  }

  /** Copies each default not set here (Litestream's {@code SetDefaults}); explicit values win. */
  ReplicaSettings withDefaults(ReplicaSettings defaults) {
    Map<String, Setting> merged = new LinkedHashMap<>(values);
    defaults.values.forEach(
        (k, v) -> merged.putIfAbsent(k, new Setting(v.value(), v.line(), v.keyPath(), true)));
    return new ReplicaSettings(merged);
  }

  Optional<Setting> setting(String key) {
    return Optional.ofNullable(values.get(key));
  }

  Optional<String> string(String key) {
    return setting(key).map(s -> (String) s.value()).filter(s -> !s.isEmpty());
  }

  Optional<Secret> secret(String key) {
    return setting(key).map(s -> (Secret) s.value()).filter(s -> !s.reveal().isEmpty());
  }

  Optional<Boolean> bool(String key) {
    return setting(key).map(s -> (Boolean) s.value());
  }

  Optional<Duration> duration(String key) {
    return setting(key).map(s -> (Duration) s.value());
  }

  Optional<Long> number(String key) {
    return setting(key).map(s -> (Long) s.value());
  }

  /** Whether {@code key} was written on the replica itself rather than inherited. */
  boolean explicit(String key) {
    return setting(key).map(s -> !s.inherited()).orElse(false);
  }

  /** All values for display, in key order. */
  Map<String, Object> asMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v.value() instanceof List<?> l ? List.copyOf(l) : v.value()));
    return out;
  }
}
