package dev.runnel.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A replica in a local (or mounted) directory: LTX files live under {@code <path>/ltx/<level>/}.
 *
 * @param path absolute, normalised directory ({@code ~} already expanded)
 */
public record FileReplica(Path path) implements ReplicaDestination {
  public FileReplica {
    Objects.requireNonNull(path, "path");
  }

  @Override
  public String type() {
    return "file";
  }

  @Override
  public FileReplica withRelativePath(String relativePath) {
    String rel = ReplicaUrl.cleanRelative(relativePath);
    return rel.isEmpty() ? this : new FileReplica(path.resolve(rel).normalize());
  }
}
