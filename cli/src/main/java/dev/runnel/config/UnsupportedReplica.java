package dev.runnel.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Litestream backend Runnel does not implement yet ({@code abs sftp webdav nats oss}). It parses
 * and validates like any other replica so a config can be loaded and listed; using it fails with
 * {@link #requireSupported()}.
 *
 * @param type the Litestream type name
 * @param url the replica URL when one was given
 * @param settings the replica's keys as written (after global defaults), for display; secrets are
 *     {@link Secret}s
 * @param line 1-based line of the replica in the config file, 0 when it did not come from a file
 * @param source config file name for messages
 */
public record UnsupportedReplica(
    String type, Optional<String> url, Map<String, Object> settings, int line, String source)
    implements ReplicaDestination {
  public UnsupportedReplica {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(url, "url");
    settings = Map.copyOf(settings);
  }

  @Override
  public ReplicaDestination requireSupported() throws ConfigException {
    throw new ConfigException(
        java.util.List.of(
            (line > 0 ? source + ":" + line + ": " : "")
                + "replica type '"
                + type
                + "' is not supported by Runnel yet (supported: file, s3, gs)"));
  }

  @Override
  public UnsupportedReplica withRelativePath(String relativePath) {
    return new UnsupportedReplica(
        type, url.map(u -> ReplicaUrl.appendRelativePath(u, relativePath)), settings, line, source);
  }
}
