package dev.runnel.replica.s3;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Object reads and writes of {@link S3ReplicaClient}: ranged GETs checked against Content-Length,
 * and uploads (one PutObject, or a {@link MultipartUpload} above the part size) after checking the
 * LTX header. Thread-safe.
 */
final class S3Objects {
  private final S3ReplicaClient client;
  private final S3ReplicaClient.Config config;

  S3Objects(S3ReplicaClient client) {
    this.client = client;
    this.config = client.config();
  }

  InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    if (length < -1) {
      throw new IllegalArgumentException("invalid length " + length + ": expected >= 0 or -1");
    }
    String key = client.key(level, min, max);
    client.checkOpen();
    if (length == 0) {
      if (client.head(key).isEmpty()) {
        throw new NoSuchFileException(key, null, "no such object in " + config.location());
      }
      return InputStream.nullInputStream();
    }
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(config.bucket()).key(key);
    if (offset > 0 || length > 0) {
      long last = length < 0 || offset > Long.MAX_VALUE - length ? -1 : offset + length - 1;
      req.range("bytes=" + offset + "-" + (last < 0 ? "" : Long.toString(last)));
    }
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = client.call(Op.GET, key, () -> client.sdk().getObject(req.build()), 404, 416);
    } catch (S3ReplicaClient.NotFound e) {
      if (e.status == 416) {
        // Offset at or past the end: the object exists (S3 answers 404 otherwise).
        return InputStream.nullInputStream();
      }
      throw new NoSuchFileException(key, null, "no such object in " + config.location());
    }
    Long expected = in.response().contentLength();
    return new CheckedBodyStream(in, expected == null ? -1 : expected, key, client.stats());
  }

  LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    Objects.requireNonNull(data, "data");
    String key = client.key(level, min, max);
    client.checkOpen();
    byte[] header = new byte[dev.runnel.ltx.LtxHeader.SIZE];
    dev.runnel.ltx.LtxHeader h = dev.runnel.replica.LtxHeaderCheck.read(data, header, min, max, config.location() + ":" + key);
    Instant stamp = Instant.ofEpochMilli(h.timestamp());
    Map<String, String> meta = Map.of(S3ReplicaClient.METADATA_TIMESTAMP, Rfc3339.format(stamp));

    int partSize = (int) config.partSize();
    // Grow the first buffer as data arrives, so that the many small L0 files do not each cost a
    // part-sized allocation.
    byte[] first = java.util.Arrays.copyOf(header, Math.min(partSize, 64 * 1024));
    int n = header.length;
    while (true) {
      int r = data.readNBytes(first, n, first.length - n);
      n += r;
      if (n < first.length || first.length == partSize) {
        break;
      }
      first = java.util.Arrays.copyOf(first, (int) Math.min(partSize, 2L * first.length));
    }
    int next = n < partSize ? -1 : data.read();
    long size;
    if (next < 0) {
      byte[] body = n == first.length ? first : java.util.Arrays.copyOf(first, n);
      putObject(key, body, meta);
      size = n;
    } else {
      size = new MultipartUpload(client, key, meta).upload(first, next, data);
    }
    return new LtxFileInfo(level, LtxFileName.of(min, max), size, stamp);
  }

  /** One PutObject of a complete body. */
  void putObject(String key, byte[] body, Map<String, String> meta) throws IOException {
    PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(config.bucket()).key(key).metadata(meta)
        .contentLength((long) body.length);
    if (config.storageClass() != null) {
      req.storageClass(config.storageClass());
    }
    if (config.requireContentMD5()) {
      req.contentMD5(S3ReplicaClient.md5(body, 0, body.length));
    }
    client.call(Op.PUT, key, () -> client.sdk().putObject(req.build(), RequestBody.fromBytes(body)));
    client.stats().bytes(Op.PUT, body.length);
  }
}
