package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.ReplicaClients;
import dev.runnel.replica.s3.S3ReplicaClient.Config;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL and option parsing, environment aliases, timestamp format. No network. */
class S3ConfigTest {

  private static Config url(String u, Map<String, String> opts, Map<String, String> env) {
    return Config.fromUrl(URI.create(u), opts, env);
  }

  @Test
  void fromUrl_bucketAndPath_setsLayoutPrefix() {
    Config c = url("s3://my-bucket/backups/db", Map.of(), Map.of());
    assertEquals("my-bucket", c.bucket());
    assertEquals("backups/db", c.path());
    assertEquals("s3", c.type());
    assertNull(c.endpoint());
    assertFalse(c.forcePathStyle());
    assertNull(c.region(), "AWS without region: resolved by the SDK's chain at client creation");
  }

  @Test
  void fromUrl_noPath_givesDotLikeLitestream() {
    assertEquals(".", url("s3://bucket", Map.of(), Map.of()).path());
    assertEquals(".", url("s3://bucket/", Map.of(), Map.of()).path());
    assertEquals("a/b", url("s3://bucket//a/./b/", Map.of(), Map.of()).path());
  }

  @Test
  void fromUrl_queryKeys_camelOrKebabCase() {
    Map<String, String> camel = Map.of("endpoint", "http://127.0.0.1:9000", "region", "eu-west-1",
        "forcePathStyle", "false", "partSize", "8MiB", "concurrency", "4", "skipVerify", "true",
        "storageClass", "STANDARD_IA", "signPayload", "false", "requireContentMD5", "false");
    Map<String, String> kebab = Map.of("endpoint", "http://127.0.0.1:9000", "region", "eu-west-1",
        "force-path-style", "false", "part-size", "8MiB", "concurrency", "4", "skip-verify", "true",
        "storage-class", "STANDARD_IA", "sign-payload", "false", "require-content-md5", "false");
    for (Map<String, String> o : java.util.List.of(camel, kebab)) {
      Config c = url("s3://b/p", o, Map.of());
      assertEquals("http://127.0.0.1:9000", c.endpoint());
      assertEquals("eu-west-1", c.region());
      assertFalse(c.forcePathStyle());
      assertEquals(8L * 1024 * 1024, c.partSize());
      assertEquals(4, c.concurrency());
      assertTrue(c.skipVerify());
      assertEquals("STANDARD_IA", c.storageClass());
      assertFalse(c.signPayload());
      assertFalse(c.requireContentMD5());
    }
  }

  @Test
  void fromUrl_endpointWithoutRegionOrPathStyle_defaultsToUsEast1AndPathStyle() {
    Config c = url("s3://b/p", Map.of("endpoint", "http://minio:9000"), Map.of());
    assertEquals("us-east-1", c.region());
    assertTrue(c.forcePathStyle());
  }

  @Test
  void fromUrl_litestreamEnvAliases_areUsed() {
    Map<String, String> env = Map.of("LITESTREAM_ACCESS_KEY_ID", "AKID", "LITESTREAM_SECRET_ACCESS_KEY", "SEKRIT",
        "LITESTREAM_S3_ENDPOINT", "http://127.0.0.1:9000");
    Config c = url("s3://b/p", Map.of(), env);
    assertEquals("AKID", c.accessKeyId());
    assertEquals("SEKRIT", c.secretAccessKey());
    assertEquals("http://127.0.0.1:9000", c.endpoint());
    assertTrue(c.forcePathStyle());
    Config explicit = url("s3://b/p", Map.of("endpoint", "http://other:1", "forcePathStyle", "false"), env);
    assertEquals("http://other:1", explicit.endpoint(), "an explicit endpoint wins over the alias");
    assertFalse(explicit.forcePathStyle());
  }

  @Test
  void fromUrl_awsEnvSet_litestreamKeyAliasIgnored() {
    Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AWSKEY", "LITESTREAM_ACCESS_KEY_ID", "AKID",
        "LITESTREAM_SECRET_ACCESS_KEY", "SEKRIT");
    assertNull(url("s3://b/p", Map.of(), env).accessKeyId(), "the SDK chain reads AWS_* itself");
  }

  @Test
  void fromUrl_gs_usesGcsInteropEndpoint() {
    Config c = url("gs://bucket/db", Map.of(), Map.of());
    assertEquals("gs", c.type());
    assertEquals("https://storage.googleapis.com", c.endpoint());
    assertEquals("auto", c.region());
    assertTrue(c.forcePathStyle());
    assertEquals("db", c.path());
  }

  @Test
  void fromUrl_awsVirtualHost_extractsBucketAndRegion() {
    Config c = url("s3://my-bucket.s3.eu-central-1.amazonaws.com/db", Map.of(), Map.of());
    assertEquals("my-bucket", c.bucket());
    assertEquals("eu-central-1", c.region());
  }

  @Test
  void fromUrl_invalidOption_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> url("s3://b/p", Map.of("forcePathStyle", "maybe"), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> url("s3://b/p", Map.of("partSize", "5 parsecs"), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> url("s3://b/p", Map.of("concurrency", "0"), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> url("s3:///p", Map.of(), Map.of()));
  }

  @Test
  void parse_sizesAndDurations_goForms() {
    assertEquals(5_000_000L, S3Config.parseSize("k", "5MB"));
    assertEquals(5L << 20, S3Config.parseSize("k", "5MiB"));
    assertEquals(1234L, S3Config.parseSize("k", "1234"));
    assertEquals(Duration.ofMillis(1500), S3Config.parseDuration("k", "1.5s"));
    assertEquals(Duration.ofSeconds(90), S3Config.parseDuration("k", "1m30s"));
    assertEquals(Duration.ofMillis(250), S3Config.parseDuration("k", "250"));
  }

  @Test
  void describeAndToString_neverContainSecrets() {
    Config c = Config.builder("b").path("p").endpoint("http://127.0.0.1:1").credentials("AKID", "TOPSECRET").build();
    try (S3ReplicaClient client = S3ReplicaClient.create(c)) {
      assertEquals("s3://b/p (endpoint http://127.0.0.1:1)", client.describe());
      assertFalse(client.toString().contains("TOPSECRET"));
      assertFalse(c.toString().contains("TOPSECRET"));
    }
  }

  @Test
  void replicaClientsOpen_s3AndGsUrls_useThisBackend() throws Exception {
    try (ReplicaClient c = ReplicaClients.open(
        "s3://bucket/path?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true")) {
      S3ReplicaClient s3 = assertInstanceOf(S3ReplicaClient.class, c);
      assertEquals("s3", c.type());
      assertEquals("http://127.0.0.1:9000", s3.config().endpoint());
      assertEquals("path/0000/", s3.levelPrefix(0));
    }
    try (ReplicaClient c = ReplicaClients.open("gs://bucket/db")) {
      assertEquals("gs", c.type());
    }
    assertTrue(ReplicaClients.knownSchemes().containsAll(java.util.Set.of("s3", "gs", "file")));
  }

  @Test
  void rfc3339_format_matchesGoRfc3339Nano() {
    assertEquals("2025-01-01T00:00:00Z", Rfc3339.format(Instant.ofEpochMilli(1735689600000L)));
    assertEquals("2023-11-14T22:13:20.123Z", Rfc3339.format(Instant.ofEpochMilli(1_700_000_000_123L)));
    assertEquals("2023-11-14T22:13:20.1Z", Rfc3339.format(Instant.ofEpochMilli(1_700_000_000_100L)));
    assertEquals("1970-01-01T00:00:00.000000001Z", Rfc3339.format(Instant.ofEpochSecond(0, 1)));
    assertEquals(Instant.ofEpochMilli(1_700_000_000_123L), Rfc3339.parse("2023-11-14T22:13:20.123Z").orElseThrow());
    assertEquals(Instant.ofEpochMilli(1_700_000_000_123L), Rfc3339.parse("2023-11-14T23:13:20.123+01:00").orElseThrow());
    assertTrue(Rfc3339.parse("yesterday").isEmpty());
  }
}
