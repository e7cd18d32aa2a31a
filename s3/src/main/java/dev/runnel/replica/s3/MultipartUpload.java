package dev.runnel.replica.s3;

import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One multipart upload: parts are read from the input one buffer at a time and uploaded with at
 * most {@code concurrency} in flight, so memory is bounded by {@code (concurrency + 1) × partSize}
 * whatever the file size. The object appears only at CompleteMultipartUpload; any failure aborts
 * the upload (best effort: an upload that cannot be aborted stays invisible and is reclaimed by a
 * bucket lifecycle rule for incomplete uploads).
 */
final class MultipartUpload {
  private final S3ReplicaClient client;
  private final String key;
  private final Map<String, String> meta;

  MultipartUpload(S3ReplicaClient client, String key, Map<String, String> meta) {
    this.client = client;
    this.key = key;
    this.meta = meta;
  }

  /**
   * Uploads {@code first} (a full part), then {@code nextByte} and the rest of {@code in}.
   *
   * @return total bytes uploaded
   */
  long upload(byte[] first, int nextByte, InputStream in) throws IOException {
    S3ReplicaClient.Config cfg = client.config();
    String bucket = cfg.bucket();
    CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
        .metadata(meta);
    if (cfg.storageClass() != null) {
      create.storageClass(cfg.storageClass());
    }
    String uploadId = client.call(Op.PUT, key, () -> client.sdk().createMultipartUpload(create.build())).uploadId();
    int partSize = (int) cfg.partSize();
    Semaphore inFlight = new Semaphore(cfg.concurrency());
    List<Future<CompletedPart>> parts = new ArrayList<>();
    long total = 0;
    try {
      byte[] buf = first;
      int len = first.length;
      int carry = nextByte;
      int partNumber = 1;
      while (true) {
        total += len;
        inFlight.acquire();
        byte[] body = buf;
        int bodyLen = len;
        int number = partNumber++;
        try {
          parts.add(client.workers().submit(() -> {
            try {
              return uploadPart(bucket, uploadId, number, body, bodyLen);
            } finally {
              inFlight.release();
            }
          }));
        } catch (RuntimeException e) {
          inFlight.release();
          throw e;
        }
        if (carry < 0) {
          break;
        }
        failFast(parts);
        buf = new byte[partSize];
        buf[0] = (byte) carry;
        len = 1 + in.readNBytes(buf, 1, partSize - 1);
        carry = len < partSize ? -1 : in.read();
      }
      List<CompletedPart> done = new ArrayList<>(parts.size());
      for (Future<CompletedPart> f : parts) {
        done.add(f.get());
      }
      client.call(Op.PUT, key, () -> client.sdk().completeMultipartUpload(r -> r.bucket(bucket).key(key)
          .uploadId(uploadId).multipartUpload(m -> m.parts(done))));
      return total;
    } catch (Throwable t) {
      parts.forEach(f -> f.cancel(true));
      abort(bucket, uploadId, t);
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("multipart upload of " + client.location(key) + " interrupted");
      }
      if (t instanceof ExecutionException ee) {
        Throwable c = ee.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        throw new IOException("multipart upload of " + client.location(key) + " failed", c);
      }
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof RuntimeException re) {
        throw re;
      }
      throw (Error) t;
    }
  }

  /** Stops reading the input early once a part has failed. */
  private static void failFast(List<Future<CompletedPart>> parts) throws ExecutionException, InterruptedException {
    for (Future<CompletedPart> f : parts) {
      if (f.isDone()) {
        f.get();
      }
    }
  }

  private CompletedPart uploadPart(String bucket, String uploadId, int number, byte[] body, int len) throws IOException {
    UploadPartRequest.Builder req = UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
        .partNumber(number).contentLength((long) len);
    if (client.config().requireContentMD5()) {
      req.contentMD5(S3ReplicaClient.md5(body, 0, len));
    }
    UploadPartResponse resp = client.call(Op.PUT, key + " part " + number,
        () -> client.sdk().uploadPart(req.build(), RequestBody.fromBytes(len == body.length ? body : java.util.Arrays.copyOf(body, len))));
    client.stats().bytes(Op.PUT, len);
    return CompletedPart.builder().partNumber(number).eTag(resp.eTag()).build();
  }

  private void abort(String bucket, String uploadId, Throwable cause) {
    try {
      client.call(Op.DELETE, key + " (abort multipart upload)", () -> client.sdk().abortMultipartUpload(
          r -> r.bucket(bucket).key(key).uploadId(uploadId)));
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
