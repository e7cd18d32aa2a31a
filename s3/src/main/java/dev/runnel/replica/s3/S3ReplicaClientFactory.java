package dev.runnel.replica.s3;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.ReplicaClientFactory;
import java.net.URI;
import java.util.Map;

/**
 * The {@code s3} scheme: {@code s3://bucket/path?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true}.
 * Options and query keys are accepted in camelCase or kebab-case; see
 * {@link S3ReplicaClient.Config.Builder#options}. The process environment supplies the
 * {@code LITESTREAM_ACCESS_KEY_ID}, {@code LITESTREAM_SECRET_ACCESS_KEY} and
 * {@code LITESTREAM_S3_ENDPOINT} aliases. {@link Gcs} handles {@code gs}.
 */
public class S3ReplicaClientFactory implements ReplicaClientFactory {

  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public ReplicaClient create(URI url, Map<String, String> options) {
    if (!scheme().equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException("not an " + scheme() + ":// URL: " + url);
    }
    return S3ReplicaClient.create(S3ReplicaClient.Config.fromUrl(url, options, System.getenv()));
  }

  /**
   * The {@code gs} scheme through Google Cloud Storage's S3 interoperability (XML API): endpoint
   * {@code https://storage.googleapis.com}, path style, region {@code auto}. Credentials are HMAC
   * keys of a service account (Cloud Storage → Settings → Interoperability), given as
   * {@code accessKeyId}/{@code secretAccessKey} or the usual AWS/LITESTREAM variables; Google
   * application-default credentials are not used.
   */
  public static final class Gcs extends S3ReplicaClientFactory {
    @Override
    public String scheme() {
      return "gs";
    }
  }
}
