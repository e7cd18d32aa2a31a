package dev.runnel.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Which database file(s) a {@code dbs[]} entry names: one path, or a directory scan. */
public sealed interface DbSource permits DbSource.SinglePath, DbSource.Directory {

  /** Litestream's suffix for the local state directory, {@code .<name>-litestream}. */
  String META_SUFFIX = "-litestream";

  /**
   * One database ({@code path:}).
   *
   * @param path absolute, normalised; {@code ~} expanded and {@code sqlite://}/{@code sqlite3://}
   *     stripped
   */
  record SinglePath(Path path) implements DbSource {
    public SinglePath {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * Directory mode ({@code dir:}): every file under {@code dir} matching the glob {@code pattern}
   * whose header is {@code SQLite format 3\0}.
   *
   * @param dir absolute, normalised directory
   * @param pattern glob matched against the file name (required)
   * @param recursive descend into subdirectories (default false)
   * @param watch add/remove databases at runtime (default false)
   * @param metaDir base directory for the per-database state directories, if set
   */
  record Directory(Path dir, String pattern, boolean recursive, boolean watch, Optional<Path> metaDir)
      implements DbSource {
    public Directory {
      Objects.requireNonNull(dir, "dir");
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(metaDir, "metaDir");
    }

    /**
     * The state directory for a discovered database: with {@code meta-dir},
     * {@code <meta-dir>/<rel dir>/.<file>-litestream} (unique per database, as Litestream derives
     * it); without, empty (the default beside the database applies).
     */
    public Optional<Path> metaPathFor(String relativePath) {
      String rel = ReplicaUrl.cleanRelative(relativePath);
      if (metaDir.isEmpty() || rel.isEmpty()) {
        return metaDir;
      }
      int slash = rel.lastIndexOf('/');
      String relDir = slash < 0 ? "" : rel.substring(0, slash);
      String file = rel.substring(slash + 1);
      Path base = relDir.isEmpty() ? metaDir.get() : metaDir.get().resolve(relDir);
      return Optional.of(base.resolve("." + file + META_SUFFIX).normalize());
    }
  }
}
