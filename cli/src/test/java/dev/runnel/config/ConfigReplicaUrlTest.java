package dev.runnel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReplicaUrlTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
    // url | scheme | host | path
    "file:///var/backups/db|file|''|/var/backups/db",
    "file:///var/backups/../db/|file|''|/var/db",
    "/var/backups/db|file|''|/var/backups/db",
    "backups/db|file|''|backups/db",
    "s3://mybucket/db|s3|mybucket|db",
    "s3://mybucket/a//b/./c/|s3|mybucket|a/b/c",
    "s3://mybucket|s3|mybucket|.",
    "s3://mybucket/|s3|mybucket|''",
    "S3://mybucket/x|s3|mybucket|x",
    "gs://acme/org-42/db|gs|acme|org-42/db",
    "abs://account@container/db|abs|container|db",
    "sftp://user:pw@host:22/backups|sftp|host:22|backups",
    "webdavs://dav.example.com/x|webdavs|dav.example.com|x",
    "nats://localhost:4222/bucket|nats|localhost:4222|bucket",
    "s3://my%20bucket/p%2Fq|s3|my%20bucket|p/q",
  })
  void parse_forms_splitLikeLitestream(String url, String scheme, String host, String path) {
    ReplicaUrl u = ReplicaUrl.parse(url);
    assertEquals(scheme, u.scheme());
    assertEquals(host, u.host());
    assertEquals(path, u.path());
  }

  @Test
  void parse_query_camelAndKebabAccepted() {
    ReplicaUrl u =
        ReplicaUrl.parse("s3://b/p?endpoint=minio:9000&region=eu-west-1&force-path-style=true&skipVerify=1");
    assertEquals(Optional.of("minio:9000"), u.query("endpoint", "endpoint"));
    assertEquals(Optional.of("eu-west-1"), u.query("region", "region"));
    assertEquals(Optional.of("true"), u.query("forcePathStyle", "force-path-style"));
    assertEquals(Optional.of("1"), u.query("skipVerify", "skip-verify"));
    assertEquals(Optional.empty(), u.query("signPayload", "sign-payload"));
  }

  @Test
  void parse_webdavs_typeIsWebdav() {
    assertEquals("webdav", ReplicaUrl.parse("webdavs://h/x").type());
  }

  @Test
  void parse_accessPointArn_hostIsArn() {
    ReplicaUrl u = ReplicaUrl.parse("s3://arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/db/prod");
    assertEquals("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", u.host());
    assertEquals("db/prod", u.path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "s3://bucket:notaport/x", "s3://bad host/x", "s3://b/%zz",
      "file://", "s3:/bucket/x"})
  void parse_malformed_throws(String url) {
    assertThrows(IllegalArgumentException.class, () -> ReplicaUrl.parse(url));
  }

  @Test
  void isUrl_schemes_detected() {
    assertTrue(ReplicaUrl.isUrl("s3://b"));
    assertTrue(ReplicaUrl.isUrl("file:///x"));
    assertFalse(ReplicaUrl.isUrl("/var/db"));
    assertFalse(ReplicaUrl.isUrl("C:\\db"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
    // host | bucket | region | endpoint | pathStyle
    "mybucket|mybucket|''|''|false",
    "mybucket.s3.amazonaws.com|mybucket|''|''|false",
    "mybucket.s3.eu-central-1.amazonaws.com|mybucket|eu-central-1|''|false",
    "my.dotted.bucket.s3.us-west-2.amazonaws.com|my.dotted.bucket|us-west-2|''|false",
    "mybucket.s3-us-west-2.amazonaws.com|mybucket|us-west-2|''|false",
    "mybucket.localhost:9000|mybucket|us-east-1|http://localhost:9000|true",
    "mybucket.minio.internal:9000|mybucket|us-east-1|http://minio.internal:9000|true",
    "localhost:9000|''|''|http://localhost:9000|true",
    "mybucket.nyc3.digitaloceanspaces.com|mybucket|nyc3|https://nyc3.digitaloceanspaces.com|false",
    "mybucket.s3.us-west-002.backblazeb2.com|mybucket|us-west-002|https://s3.us-west-002.backblazeb2.com|true",
    "mybucket.s3.filebase.com|mybucket|''|https://s3.filebase.com|true",
    "mybucket.s3.fr-par.scw.cloud|mybucket|fr-par|https://s3.fr-par.scw.cloud|false",
  })
  void s3Host_knownForms_parsed(String host, String bucket, String region, String endpoint, boolean pathStyle) {
    ReplicaUrl.S3Host h = ReplicaUrl.S3Host.parse(host);
    assertEquals(bucket, h.bucket());
    assertEquals(region, h.region().orElse(""));
    assertEquals(endpoint, h.endpoint().orElse(""));
    assertEquals(pathStyle, h.forcePathStyle());
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
    "s3://bucket/backups|team-a/db2.db|s3://bucket/backups/team-a/db2.db",
    "s3://bucket/backups/|team-a/db2.db|s3://bucket/backups/team-a/db2.db",
    "s3://bucket|team-a/db2.db|s3://bucket/team-a/db2.db",
    "s3://bucket/backups?region=eu-west-1&forcePathStyle=true|db.db|s3://bucket/backups/db.db?region=eu-west-1&forcePathStyle=true",
    "file:///var/backups|team-a/db2.db|file:///var/backups/team-a/db2.db",
    "/var/backups|team-a\\db2.db|/var/backups/team-a/db2.db",
    "backups|./x.db|backups/x.db",
    "s3://bucket/backups|.|s3://bucket/backups",
    "s3://arn:aws:s3:us-west-2:1:accesspoint/ap/base|x.db|s3://arn:aws:s3:us-west-2:1:accesspoint/ap/base/x.db",
  })
  void appendRelativePath_directoryMode_appendsToPath(String base, String rel, String expected) {
    assertEquals(expected, ReplicaUrl.appendRelativePath(base, rel));
  }

  @Test
  void appendRelativePath_s3Url_keyPrefixMatchesSpec() {
    String joined = ReplicaUrl.appendRelativePath("s3://bucket/backups", "team-a/db2.db");
    assertEquals("backups/team-a/db2.db", ReplicaUrl.parse(joined).path());
  }
}
