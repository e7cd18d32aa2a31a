package dev.runnel.restore.v3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A {@link V3Store} over a local directory: the {@code path} of a Litestream 0.3 {@code file}
 * replica. Object times are file modification times (nanosecond precision where the file system
 * keeps it). Stateless apart from the root path, hence thread-safe.
 */
public final class LocalV3Store implements V3Store {
  private final Path root;

  /** @param root the replica root, the directory that contains {@code generations/} */
  public LocalV3Store(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public List<V3Object> list(String prefix) throws IOException {
    Objects.requireNonNull(prefix, "prefix");
    // Walk from the deepest directory the prefix names, then filter by the full prefix, so
    // "generations/" and "generations/abc" both behave like an S3 prefix listing.
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    // The walk does not follow links, so start from the real path in case the root is a link.
    Path base = root.toRealPath();
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? base : base.resolve(prefix.substring(0, slash)).normalize();
    if (!start.startsWith(base) || !Files.isDirectory(start)) {
      return List.of();
    }
    List<V3Object> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(start)) {
      walk.forEach(p -> {
        try {
          BasicFileAttributes a =
              Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!a.isRegularFile()) {
            return;
          }
          String key = keyOf(base, p);
          if (key.startsWith(prefix)) {
            out.add(new V3Object(key, a.size(), a.lastModifiedTime().toInstant()));
          }
        } catch (NoSuchFileException gone) {
          // Deleted while listing (retention running elsewhere): not part of this listing.
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Files.newInputStream(resolve(key));
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("key escapes the replica root: " + key);
    }
    return p;
  }

  private static String keyOf(Path base, Path p) {
    Path rel = base.relativize(p);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }
}
