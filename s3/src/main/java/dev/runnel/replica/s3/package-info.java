/**
 * The S3-compatible replica backend: {@link dev.runnel.replica.s3.S3ReplicaClient} (Litestream 0.5's
 * S3 layout, {@code <path>/<level %04x>/<min>-<max>.ltx} with {@code litestream-timestamp}
 * metadata), its conditional store, settings ({@link dev.runnel.replica.s3.S3ReplicaClient.Config})
 * and the {@code s3} / {@code gs} URL schemes ({@link dev.runnel.replica.s3.S3ReplicaClientFactory}).
 *
 * <p>HTTP goes through the AWS SDK v2's {@code url-connection-client} (JDK HttpURLConnection): no
 * Netty, no Apache client. {@code skipVerify} is supported by it (trust-all certificates and no
 * host name check). For custom endpoints the SDK's flexible checksums are limited to
 * {@code WHEN_REQUIRED} and, where Content-MD5 is sent, the CRC32 header is dropped, because GCS,
 * S3Proxy and older MinIO reject the checksum headers that SDK 2.30+ adds.
 */
package dev.runnel.replica.s3;
