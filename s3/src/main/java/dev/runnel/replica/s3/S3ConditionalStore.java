package dev.runnel.replica.s3;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.s3.S3ReplicaClient.ConditionalDelete;
import dev.runnel.replica.s3.S3ReplicaClient.NotFound;
import dev.runnel.replica.s3.S3Stats.Op;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * {@link ConditionalStore} on S3 conditional requests: object {@code name} is the key
 * {@code <path>/<name>}, beside the level prefixes {@code <path>/0000/…}.
 *
 * <ul>
 *   <li>{@link #createIfAbsent}: PutObject with {@code If-None-Match: *} (412 → false).</li>
 *   <li>{@link #replaceIfUnchanged}: PutObject with {@code If-Match: <etag>} (412 or 404 → false).</li>
 *   <li>{@link #deleteIfUnchanged}: DeleteObject with {@code If-Match} where the server honours it
 *       ({@link ConditionalDelete#NATIVE}); otherwise an {@code If-Match} PutObject of a
 *       <em>tombstone</em> ({@link ConditionalDelete#TOMBSTONE}), a small object that
 *       {@link #read} reports as absent and {@link #createIfAbsent} takes over with an
 *       {@code If-Match} on the tombstone's etag. Tombstones are never removed physically, because
 *       an unconditional DELETE could race with that take-over; each is a few dozen bytes.
 *       {@code AUTO} probes once which mode the server supports.</li>
 *   <li>Tombstones all have the same content, so on servers whose ETag is a hash of the content
 *       they share one etag, learned once per bucket (from the probe, or from any tombstone
 *       written or read) and kept in {@link SharedSdk}. With it, {@link #createIfAbsent} over a
 *       tombstone is one {@code If-Match} PutObject instead of PUT (412), GET, PUT. Equal etags
 *       for all tombstones are safe because every tombstone means the same thing, "absent": taking
 *       over any tombstone is a create. Servers with per-object ETags (e.g. SSE-KMS) simply fail
 *       that first PUT and go the long way; tombstones of earlier versions (a random suffix) too.</li>
 *   <li>{@link #tryCreate} and {@link #tryReplace} return the ETag of the PutObject response, so
 *       a new object's etag costs no read back (a read back only if the server sends no ETag).</li>
 * </ul>
 *
 * <p><b>Scope of atomicity</b>: whatever the server guarantees for conditional writes: AWS S3,
 * MinIO, R2 and GCS evaluate {@code If-Match}/{@code If-None-Match} atomically with the write, so
 * the store is linearizable across hosts. Before the first mutation the store checks once that the
 * server does evaluate {@code If-None-Match} (a server that ignores it would let every creator win)
 * and fails with an {@link IOException} if not.
 *
 * <p><b>Server support</b> (as documented by the vendors; only S3Proxy is exercised by the tests):
 * AWS S3 evaluates If-None-Match/If-Match on PutObject (since 2024) and If-Match on DeleteObject
 * (since 2025); MinIO and R2 support conditional PUT; GCS's XML API uses
 * {@code x-goog-if-generation-match} instead, so on {@code gs://} the probe finds If-None-Match
 * ignored and every mutation fails with an IOException rather than silently losing atomicity.
 * S3Proxy 3.0.0 evaluates the PUT headers non-atomically (check, then write) and ignores If-Match
 * on DELETE. With NATIVE deletes, a server that answers 204 for a DELETE with If-Match on a
 * <em>missing</em> key (instead of 404/412) would make {@link #deleteIfUnchanged} report true for
 * an object that a concurrent call already deleted.
 *
 * <p><b>Etags</b> are the server's ETag, quoted as returned. For these single-part uploads S3's
 * ETag is the MD5 of the content, so equal bytes give equal etags (as the contract allows); other
 * servers may use other opaque values.
 *
 * <p><b>Retries</b>: conditional requests are retried only after failures that certainly did not
 * reach the object (throttling, refused connections), so a 412 is always genuine. A connection
 * reset, timeout or 500 is reported as an {@link IOException} (outcome unknown).
 */
final class S3ConditionalStore implements ConditionalStore {
  /**
   * Tombstone content, and the prefix that marks one: earlier versions appended a random UUID, so
   * every object starting with these bytes is a tombstone.
   */
  static final byte[] TOMBSTONE_PREFIX = "\0runnel-tombstone\0".getBytes(StandardCharsets.US_ASCII);
  /** Never equal to a server's ETag: makes a conditional update fail (see {@link #etagOf}). */
  static final String UNKNOWN_ETAG = "\"runnel-unknown-etag\"";
  private static final int CONFLICT_RETRIES = 8;

  private final S3ReplicaClient client;
  private final Object probeLock = new Object();
  private volatile ConditionalDelete deleteMode;

  S3ConditionalStore(S3ReplicaClient client) {
    this.client = client;
  }

  /** The delete mode in use, probing the server if the config says AUTO. */
  ConditionalDelete deleteMode() throws IOException {
    ConditionalDelete m = deleteMode;
    if (m != null) {
      return m;
    }
    synchronized (probeLock) {
      if (deleteMode == null) {
        // Clients sharing an SDK client talk to the same server: one probe per bucket serves all.
        S3ReplicaClient.Config c = client.config();
        SharedSdk shared = client.shared();
        ConditionalDelete known = shared.probedDeleteMode(c.bucket(), c.conditionalDelete());
        if (known == null) {
          known = probe();
          shared.rememberDeleteMode(c.bucket(), c.conditionalDelete(), known);
        }
        deleteMode = known;
      }
      return deleteMode;
    }
  }

  @Override
  public Optional<Versioned> read(String name) throws IOException {
    String key = client.objectKey(ConditionalStore.checkName(name));
    return readRaw(key).filter(v -> !isTombstone(v.data()));
  }

  private Optional<Versioned> readRaw(String key) throws IOException {
    try (InputStream in = getObject(key)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] data = in.readAllBytes();
      String etag = ((CheckedBodyStream) in).etag();
      if (etag == null) {
        throw new IOException("S3 GET " + client.location(key) + ": response has no ETag");
      }
      if (Arrays.equals(data, TOMBSTONE_PREFIX)) {
        client.shared().rememberTombstoneEtag(client.config().bucket(), etag);
      }
      return Optional.of(new Versioned(data, etag));
    }
  }

  private CheckedBodyStream getObject(String key) throws IOException {
    S3ReplicaClient.Config c = client.config();
    try {
      var in = client.call(Op.GET, key, () -> client.conditionalSdk().getObject(r -> r.bucket(c.bucket()).key(key)), 404);
      GetObjectResponse resp = in.response();
      return new CheckedBodyStream(in, resp.contentLength() == null ? -1 : resp.contentLength(), key,
          client.stats(), resp.eTag());
    } catch (NotFound e) {
      return null;
    }
  }

  @Override
  public Optional<String> tryCreate(String name, byte[] data) throws IOException {
    Objects.requireNonNull(data, "data");
    String key = client.objectKey(ConditionalStore.checkName(name));
    String bucket = client.config().bucket();
    if (deleteMode() == ConditionalDelete.TOMBSTONE && client.shared().tombstoneEtag(bucket) != null) {
      // Released objects are tombstones here: try the take-over first. A 412 (no tombstone, or
      // one with another etag) or 404 (no object) leads to the general path below.
      Put p = put(key, data, client.shared().tombstoneEtag(bucket), null);
      if (p.outcome() == Outcome.OK) {
        return Optional.of(etagOf(key, data, p));
      }
    }
    for (int i = 0; i < CONFLICT_RETRIES; i++) {
      Put p = put(key, data, null, "*");
      if (p.outcome() == Outcome.OK) {
        return Optional.of(etagOf(key, data, p));
      }
      if (p.outcome() == Outcome.CONFLICT) {
        continue;
      }
      // 412: something is stored. A tombstone means "absent": take it over atomically.
      Optional<Versioned> cur = readRaw(key);
      if (cur.isEmpty()) {
        continue; // deleted meanwhile: try to create again
      }
      if (!isTombstone(cur.get().data())) {
        return Optional.empty();
      }
      Put t = put(key, data, cur.get().etag(), null);
      if (t.outcome() == Outcome.OK) {
        return Optional.of(etagOf(key, data, t));
      }
      if (t.outcome() == Outcome.PRECONDITION_FAILED) {
        return Optional.empty(); // another creator took the tombstone over first
      }
    }
    throw new IOException("S3 createIfAbsent " + client.location(key) + ": still conflicting after "
        + CONFLICT_RETRIES + " attempts");
  }

  @Override
  public Optional<String> tryReplace(String name, byte[] data, String etag) throws IOException {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(etag, "etag");
    String key = client.objectKey(ConditionalStore.checkName(name));
    deleteMode();
    for (int i = 0; i < CONFLICT_RETRIES; i++) {
      Put p = put(key, data, etag, null);
      if (p.outcome() != Outcome.CONFLICT) {
        return p.outcome() == Outcome.OK ? Optional.of(etagOf(key, data, p)) : Optional.empty();
      }
    }
    throw new IOException("S3 replaceIfUnchanged " + client.location(key) + ": still conflicting after "
        + CONFLICT_RETRIES + " attempts");
  }

  @Override
  public boolean deleteIfUnchanged(String name, String etag) throws IOException {
    Objects.requireNonNull(etag, "etag");
    String key = client.objectKey(ConditionalStore.checkName(name));
    ConditionalDelete mode = deleteMode();
    for (int i = 0; i < CONFLICT_RETRIES; i++) {
      Outcome o;
      if (mode == ConditionalDelete.NATIVE) {
        o = delete(key, etag);
      } else {
        Put p = put(key, TOMBSTONE_PREFIX, etag, null);
        o = p.outcome();
        if (o == Outcome.OK && p.etag() != null) {
          client.shared().rememberTombstoneEtag(client.config().bucket(), p.etag());
        }
      }
      if (o != Outcome.CONFLICT) {
        return o == Outcome.OK;
      }
    }
    throw new IOException("S3 deleteIfUnchanged " + client.location(key) + ": still conflicting after "
        + CONFLICT_RETRIES + " attempts");
  }

  private enum Outcome { OK, PRECONDITION_FAILED, CONFLICT }

  /** A PutObject's outcome, and for OK the response's ETag (null if the server sent none). */
  private record Put(Outcome outcome, String etag) {}

  /**
   * The etag of the object this client just wrote: the PutObject response's, else read back. If
   * the object read back is no longer what was written (replaced meanwhile), an etag that matches
   * nothing, so the caller's next conditional update fails as it should.
   */
  private String etagOf(String key, byte[] data, Put p) throws IOException {
    if (p.etag() != null) {
      return p.etag();
    }
    Optional<Versioned> back = readRaw(key);
    return back.isPresent() && Arrays.equals(back.get().data(), data) ? back.get().etag() : UNKNOWN_ETAG;
  }

  /** PutObject with If-Match and/or If-None-Match. 404 (If-Match on a missing key) counts as 412. */
  private Put put(String key, byte[] data, String ifMatch, String ifNoneMatch) throws IOException {
    S3ReplicaClient.Config c = client.config();
    PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(c.bucket()).key(key)
        .contentLength((long) data.length);
    if (ifMatch != null) {
      req.ifMatch(ifMatch);
    }
    if (ifNoneMatch != null) {
      req.ifNoneMatch(ifNoneMatch);
    }
    if (c.requireContentMD5()) {
      req.contentMD5(S3ReplicaClient.md5(data, 0, data.length));
    }
    try {
      PutObjectResponse r = client.call(Op.PUT, key,
          () -> client.conditionalSdk().putObject(req.build(), RequestBody.fromBytes(data)), 412, 404, 409);
      client.stats().bytes(Op.PUT, data.length);
      return new Put(Outcome.OK, r == null ? null : r.eTag());
    } catch (NotFound e) {
      return new Put(e.status == 409 ? Outcome.CONFLICT : Outcome.PRECONDITION_FAILED, null);
    }
  }

  private Outcome delete(String key, String ifMatch) throws IOException {
    S3ReplicaClient.Config c = client.config();
    try {
      client.call(Op.DELETE, key,
          () -> client.conditionalSdk().deleteObject(r -> r.bucket(c.bucket()).key(key).ifMatch(ifMatch)), 412, 404, 409);
      return Outcome.OK;
    } catch (NotFound e) {
      return e.status == 409 ? Outcome.CONFLICT : Outcome.PRECONDITION_FAILED;
    }
  }

  static boolean isTombstone(byte[] data) {
    return data.length >= TOMBSTONE_PREFIX.length
        && Arrays.equals(data, 0, TOMBSTONE_PREFIX.length, TOMBSTONE_PREFIX, 0, TOMBSTONE_PREFIX.length);
  }

  /**
   * Checks once that the server evaluates If-None-Match on PutObject, and (for AUTO) whether it
   * evaluates If-Match on DeleteObject: a DELETE with a wrong etag must answer 412. Uses a private
   * probe key {@code <path>/.runnel-probe-<uuid>} (not a valid object name, so it never collides),
   * removed afterwards. The probe object is a tombstone, which teaches the tombstone etag.
   */
  private ConditionalDelete probe() throws IOException {
    S3ReplicaClient.Config c = client.config();
    String key = client.objectKey(".runnel-probe-" + UUID.randomUUID());
    byte[] data = TOMBSTONE_PREFIX;
    Put first = put(key, data, null, null);
    if (first.etag() != null) {
      client.shared().rememberTombstoneEtag(c.bucket(), first.etag());
    }
    try {
      if (put(key, data, null, "*").outcome() == Outcome.OK) {
        throw new IOException("S3 server at " + (c.endpoint() == null ? "AWS" : c.endpoint())
            + " ignores If-None-Match on PutObject: conditional writes are not supported, so "
            + client.location(c.path()) + " cannot offer a conditional store");
      }
      if (c.conditionalDelete() != ConditionalDelete.AUTO) {
        return c.conditionalDelete();
      }
      try {
        Outcome o = delete(key, "\"00000000000000000000000000000000\"");
        return o == Outcome.PRECONDITION_FAILED ? ConditionalDelete.NATIVE : ConditionalDelete.TOMBSTONE;
      } catch (IOException e) {
        return ConditionalDelete.TOMBSTONE; // e.g. 400/501 for an unknown header
      }
    } finally {
      try {
        client.deleteKeys(java.util.List.of(key));
      } catch (IOException ignored) {
        // a leftover probe object is harmless: not an LTX name and not a valid store name
      }
    }
  }
}
