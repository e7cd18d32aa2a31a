package dev.runnel.replica.s3;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The listing side of {@link S3ReplicaClient}: ListObjectsV2 pagination (one level from a seek
 * position, or every level in one pass) and the optional HEAD per object for exact timestamps.
 * Stateless apart from its client; thread-safe.
 */
final class S3Listing {
  private final S3ReplicaClient client;
  private final S3ReplicaClient.Config config;

  S3Listing(S3ReplicaClient client) {
    this.client = client;
    this.config = client.config();
  }

  /**
   * One ListObjectsV2 of {@code <path>/} (paged) instead of one per level: the level is the key's
   * next component ({@code %04x}, or {@code ltx/<level>} for GCS). Keys of any other shape (the
   * conditional store's objects, deeper paths) are skipped.
   */
  Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    client.checkOpen();
    String prefix = config.path() + "/";
    String[] levelPrefixes = new String[LtxFileInfo.MAX_LEVEL + 1];
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      levelPrefixes[level] = client.levelPrefix(level);
    }
    Map<Integer, List<LtxFileInfo>> out = new TreeMap<>();
    String token = null;
    do {
      ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix)
          .maxKeys(config.listPageSize());
      if (token != null) {
        req.continuationToken(token);
      }
      ListObjectsV2Response resp = client.call(Op.LIST, prefix, () -> client.sdk().listObjectsV2(req.build()));
      for (S3Object o : resp.contents()) {
        String key = o.key();
        int level = -1;
        for (int l = 0; l <= LtxFileInfo.MAX_LEVEL && level < 0; l++) {
          if (key.startsWith(levelPrefixes[l]) && key.indexOf('/', levelPrefixes[l].length()) < 0) {
            level = l;
          }
        }
        if (level < 0) {
          continue;
        }
        Optional<LtxFileName> name = LtxFileName.parse(key.substring(levelPrefixes[level].length()));
        if (name.isEmpty()) {
          continue;
        }
        Instant created = o.lastModified() != null ? o.lastModified() : Instant.EPOCH;
        out.computeIfAbsent(level, k -> new ArrayList<>())
            .add(new LtxFileInfo(level, name.get(), o.size() == null ? 0 : o.size(), created));
      }
      token = Boolean.TRUE.equals(resp.isTruncated()) ? resp.nextContinuationToken() : null;
    } while (token != null);
    for (List<LtxFileInfo> files : out.values()) {
      files.sort(Comparator.comparing(LtxFileInfo::name));
    }
    return out;
  }

  List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    Objects.requireNonNull(seek, "seek");
    String prefix = client.levelPrefix(level);
    client.checkOpen();
    List<S3Object> objects = new ArrayList<>();
    String token = null;
    String startAfter = seek.equals(TxId.ZERO) ? null : prefix + LtxFileName.of(seek, seek).toString().substring(0, 16);
    do {
      ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix)
          .maxKeys(config.listPageSize());
      if (token != null) {
        req.continuationToken(token);
      } else if (startAfter != null) {
        req.startAfter(startAfter);
      }
      ListObjectsV2Response resp = client.call(Op.LIST, prefix, () -> client.sdk().listObjectsV2(req.build()));
      objects.addAll(resp.contents());
      token = Boolean.TRUE.equals(resp.isTruncated()) ? resp.nextContinuationToken() : null;
    } while (token != null);

    List<LtxFileInfo> out = new ArrayList<>();
    List<S3Object> kept = new ArrayList<>();
    for (S3Object o : objects) {
      String rest = o.key().substring(prefix.length());
      if (rest.indexOf('/') >= 0) {
        continue;
      }
      Optional<LtxFileName> name = LtxFileName.parse(rest);
      if (name.isEmpty() || name.get().min().isBefore(seek)) {
        continue;
      }
      kept.add(o);
      Instant created = o.lastModified() != null ? o.lastModified() : Instant.EPOCH;
      out.add(new LtxFileInfo(level, name.get(), o.size() == null ? 0 : o.size(), created));
    }
    if (exactTimestamps && !out.isEmpty()) {
      out = withHeaderTimestamps(out, kept);
    }
    out.sort(Comparator.comparing(LtxFileInfo::name));
    return out;
  }

  /** Replaces LastModified by the metadata timestamp, one HEAD per object, bounded in parallel. */
  private List<LtxFileInfo> withHeaderTimestamps(List<LtxFileInfo> files, List<S3Object> objects) throws IOException {
    Semaphore permits = new Semaphore(S3ReplicaClient.HEAD_PARALLELISM);
    List<Future<Optional<LtxFileInfo>>> futures = new ArrayList<>(files.size());
    try {
      for (int i = 0; i < files.size(); i++) {
        LtxFileInfo f = files.get(i);
        String key = objects.get(i).key();
        permits.acquire();
        try {
          futures.add(client.workers().submit(() -> {
            try {
              Optional<HeadObjectResponse> head = client.head(key);
              if (head.isEmpty()) {
                return Optional.<LtxFileInfo>empty(); // deleted since the listing
              }
              Instant ts = Optional.ofNullable(head.get().metadata().get(S3ReplicaClient.METADATA_TIMESTAMP))
                  .flatMap(Rfc3339::parse).orElse(f.createdAt());
              return Optional.of(new LtxFileInfo(f.level(), f.name(), f.size(), ts));
            } finally {
              permits.release();
            }
          }));
        } catch (RuntimeException e) {
          permits.release();
          throw e;
        }
      }
      List<LtxFileInfo> out = new ArrayList<>(files.size());
      for (Future<Optional<LtxFileInfo>> fu : futures) {
        fu.get().ifPresent(out::add);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(fu -> fu.cancel(true));
      throw new InterruptedIOException("interrupted while listing " + config.location());
    } catch (ExecutionException e) {
      futures.forEach(fu -> fu.cancel(true));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }
}
