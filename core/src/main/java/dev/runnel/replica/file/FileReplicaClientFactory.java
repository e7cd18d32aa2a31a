package dev.runnel.replica.file;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.ReplicaClientFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code file} scheme. Accepted forms (see {@link dev.runnel.replica.ReplicaClients}):
 * <ul>
 *   <li>{@code file:///abs/path} and {@code file://localhost/abs/path}: the absolute path;</li>
 *   <li>{@code file:relative/path} (no {@code //}): a path relative to the working directory,
 *       as Litestream reads it.</li>
 * </ul>
 * {@code file://name/rest} with any other host is rejected: Litestream silently turns it into
 * {@code /name/rest}, which is rarely what was meant. Query parameters and options are ignored,
 * as Litestream ignores them for file URLs.
 */
public final class FileReplicaClientFactory implements ReplicaClientFactory {

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public ReplicaClient create(URI url, Map<String, String> options) {
    if (!"file".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException("not a file URL: " + url);
    }
    if (url.isOpaque()) {
      String ssp = url.getSchemeSpecificPart();
      int q = ssp.indexOf('?');
      String p = q >= 0 ? ssp.substring(0, q) : ssp;
      if (p.isEmpty()) {
        throw new IllegalArgumentException("file URL has no path: " + url);
      }
      return FileReplicaClient.create(Path.of(p));
    }
    String host = url.getAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw new IllegalArgumentException(
          "file URL " + url + " has host \"" + host + "\": write file:///" + host + url.getPath()
              + " for an absolute path, or a plain relative path");
    }
    String path = url.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw new IllegalArgumentException("file URL has no path: " + url);
    }
    return FileReplicaClient.create(Path.of(path));
  }
}
