package dev.runnel.replica.s3;

import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * The delete side of {@link S3ReplicaClient}: DeleteObjects in batches, or one DeleteObject per key
 * in parallel where the server has no multi-object delete (GCS). Thread-safe.
 */
final class S3Deletes {
  private final S3ReplicaClient client;
  private final S3ReplicaClient.Config config;

  S3Deletes(S3ReplicaClient client) {
    this.client = client;
    this.config = client.config();
  }

  /**
   * DeleteObjects in batches of 1000; missing keys are not errors. For {@code gs} one DeleteObject
   * per key (GCS's XML API has no multi-object delete), at most {@link S3ReplicaClient#HEAD_PARALLELISM} at once.
   */
  void deleteKeys(List<String> keys) throws IOException {
    if (config.type().equals("gs")) {
      deleteEach(keys);
      return;
    }
    for (int i = 0; i < keys.size(); i += S3ReplicaClient.MAX_DELETE_BATCH) {
      List<String> batch = keys.subList(i, Math.min(keys.size(), i + S3ReplicaClient.MAX_DELETE_BATCH));
      List<ObjectIdentifier> ids = batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      String what = batch.size() == 1 ? batch.get(0) : batch.size() + " keys from " + batch.get(0);
      DeleteObjectsResponse resp = client.call(Op.DELETE, what, () -> client.sdk().deleteObjects(r -> r.bucket(config.bucket())
          .delete(Delete.builder().objects(ids).quiet(true).build())));
      List<S3Error> errors = resp.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
      if (!errors.isEmpty()) {
        S3Error e = errors.get(0);
        client.stats().error(Op.DELETE, e.code());
        throw new IOException("S3 DELETE " + client.location(e.key()) + " failed: " + e.code() + ": " + e.message()
            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
      }
    }
  }

  private void deleteEach(List<String> keys) throws IOException {
    Semaphore permits = new Semaphore(S3ReplicaClient.HEAD_PARALLELISM);
    List<Future<Void>> futures = new ArrayList<>();
    try {
      for (String key : keys) {
        permits.acquire();
        try {
          futures.add(client.workers().submit(() -> {
            try {
              client.call(Op.DELETE, key, () -> client.sdk().deleteObject(r -> r.bucket(config.bucket()).key(key)), 404);
            } catch (S3ReplicaClient.NotFound ignored) {
              // already gone
            } finally {
              permits.release();
            }
            return null;
          }));
        } catch (RuntimeException e) {
          permits.release();
          throw e;
        }
      }
      for (Future<Void> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw new InterruptedIOException("interrupted while deleting from " + config.location());
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }
}
