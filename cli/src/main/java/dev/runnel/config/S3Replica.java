package dev.runnel.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An S3-compatible bucket. Also used for Google Cloud Storage ({@link Flavor#GCS}), which Runnel
 * reaches through GCS's S3-interoperability XML API at {@value #GCS_ENDPOINT} with HMAC keys
 * (create them under Cloud Storage → Settings → Interoperability and put them in
 * {@code access-key-id}/{@code secret-access-key} or {@code AWS_ACCESS_KEY_ID}/{@code
 * AWS_SECRET_ACCESS_KEY}); {@code GOOGLE_APPLICATION_CREDENTIALS} is not used.
 *
 * @param flavor S3 or GCS; decides the key layout (see {@link Flavor})
 * @param bucket bucket name, never empty
 * @param path key prefix without leading {@code /}; {@code .} when a URL had no path (Litestream
 *     then writes keys {@code ./0000/…}), empty when the {@code path:} key was absent
 * @param region empty: looked up from the bucket, or {@code us-east-1} when an endpoint is set
 *     (see {@link #effectiveRegion()})
 * @param endpoint base URL with scheme for non-AWS services; empty for AWS
 * @param forcePathStyle path-style addressing; defaults to true when an endpoint is set
 * @param credentials explicit or environment keys; none means the SDK default chain
 * @param signPayload sign the payload (default true)
 * @param requireContentMd5 send Content-MD5 (default true; false for Tigris)
 * @param skipVerify skip TLS certificate verification (default false)
 * @param storageClass storage class for uploads, empty for the bucket default
 * @param partSize multipart threshold and part size in bytes (default 5 MiB)
 * @param concurrency parallel parts per upload; empty for the client default (2 for Cloudflare R2)
 * @param sse server-side encryption settings
 */
public record S3Replica(
    Flavor flavor,
    String bucket,
    String path,
    Optional<String> region,
    Optional<String> endpoint,
    boolean forcePathStyle,
    Credentials credentials,
    boolean signPayload,
    boolean requireContentMd5,
    boolean skipVerify,
    Optional<String> storageClass,
    long partSize,
    OptionalInt concurrency,
    Sse sse)
    implements ReplicaDestination {

  /** Google Cloud Storage's S3-interoperability endpoint. */
  public static final String GCS_ENDPOINT = "https://storage.googleapis.com";

  /** Region used with a custom endpoint when none is configured (as Litestream). */
  public static final String DEFAULT_REGION = "us-east-1";

  /** Default multipart part size: 5 MiB. */
  public static final long DEFAULT_PART_SIZE = 5L * 1024 * 1024;

  public S3Replica {
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(storageClass, "storageClass");
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(sse, "sse");
  }

  /**
   * Which service, because the object key layout differs (replica-layout.md §1): S3 keys are
   * {@code <path>/<level %04x>/<file>}, GCS keys are {@code <path>/ltx/<level>/<file>}.
   */
  public enum Flavor {
    S3,
    GCS
  }

  @Override
  public String type() {
    return flavor == Flavor.GCS ? "gs" : "s3";
  }

  /**
   * The region to sign with: the configured one, else {@code us-east-1} when an endpoint is set,
   * else empty (the caller must look the bucket's region up, as Litestream does).
   */
  public Optional<String> effectiveRegion() {
    if (region.isPresent()) {
      return region;
    }
    return endpoint.isPresent() ? Optional.of(DEFAULT_REGION) : Optional.empty();
  }

  @Override
  public S3Replica withRelativePath(String relativePath) {
    String rel = ReplicaUrl.cleanRelative(relativePath);
    if (rel.isEmpty()) {
      return this;
    }
    String joined = path.isEmpty() || path.equals(".") ? rel : ReplicaUrl.cleanRelative(path + "/" + rel);
    return new S3Replica(
        flavor, bucket, joined, region, endpoint, forcePathStyle, credentials, signPayload,
        requireContentMd5, skipVerify, storageClass, partSize, concurrency, sse);
  }

  /**
   * Access keys. Both empty means "use the AWS SDK default chain" (profile files, instance roles).
   *
   * @param source where the keys came from, for display: {@code config}, {@code env
   *     AWS_ACCESS_KEY_ID}, {@code env LITESTREAM_ACCESS_KEY_ID} or {@code default chain}
   */
  public record Credentials(
      Optional<String> accessKeyId, Optional<Secret> secretAccessKey, String source) {
    public Credentials {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      Objects.requireNonNull(source, "source");
    }

    /** No explicit keys: the SDK default chain applies. */
    public static Credentials defaultChain() {
      return new Credentials(Optional.empty(), Optional.empty(), "default chain");
    }
  }

  /**
   * Server-side encryption: SSE-C ({@code sse-customer-*}) or SSE-KMS ({@code sse-kms-key-id}).
   *
   * @param customerAlgorithm SSE-C algorithm; {@code AES256} when a customer key is set
   * @param customerKey SSE-C key (base64) given inline
   * @param customerKeyPath file holding the SSE-C key
   * @param kmsKeyId KMS key id for SSE-KMS
   */
  public record Sse(
      Optional<String> customerAlgorithm,
      Optional<Secret> customerKey,
      Optional<Path> customerKeyPath,
      Optional<String> kmsKeyId) {
    /** No server-side encryption settings. */
    public static Sse none() {
      return new Sse(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
  }
}
