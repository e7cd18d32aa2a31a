package dev.runnel.tenant;

import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.ConditionalStore.Versioned;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * This process's lease on one tenant: the object {@value #OBJECT} in the tenant's
 * {@link ConditionalStore}, next to its LTX files. Content (UTF-8 text):
 *
 * <pre>
 * runnel-lease 1
 * holder=&lt;holder id&gt;
 * expires=&lt;epoch millis, holder's clock&gt;
 * nonce=&lt;random UUID, one per tenure&gt;
 * </pre>
 *
 * <ul>
 *   <li>Taken with {@code tryCreate} (one conditional PUT on S3 when the tenant is free), or with
 *       {@code tryReplace} on the etag of a lease that has expired (by this process's clock), is
 *       unreadable, or names our own holder id. The etag of the write is kept for the next
 *       conditional update; nothing is read back. A live lease of another holder fails with
 *       {@link TenantBusyException}.</li>
 *   <li>Renewed with {@code tryReplace} on our last etag; a failed condition means someone
 *       else took it (unless the object carries our nonce: an earlier write of ours whose outcome
 *       was unknown, whose etag is then adopted): the lease is lost. A renewal that fails with an I/O error is retried at the
 *       next tick; once the lease is within TTL/6 of expiring unrenewed, it counts as lost.</li>
 *   <li>Released with {@code deleteIfUnchanged}.</li>
 *   <li>{@link #checkWritable} fences uploads: it refuses once the lease is lost, released or
 *       within TTL/6 of its expiry, and (optionally) re-reads the object to check the nonce.</li>
 * </ul>
 *
 * <p>Correctness assumes the clocks of competing hosts agree to well within TTL/6 (5 s at the
 * default 30 s TTL). Thread-safe.
 */
final class TenantLease {
  static final String OBJECT = "lease";
  private static final System.Logger LOG = System.getLogger(TenantLease.class.getName());
  private static final String MAGIC = "runnel-lease 1";

  /** A decoded lease object. */
  record Content(String holder, long expiresAtMillis, String nonce) {
    byte[] encode() {
      return (MAGIC + "\nholder=" + holder + "\nexpires=" + expiresAtMillis + "\nnonce=" + nonce + "\n")
          .getBytes(StandardCharsets.UTF_8);
    }

    static Optional<Content> decode(byte[] data) {
      String[] lines = new String(data, StandardCharsets.UTF_8).split("\n");
      if (lines.length < 4 || !lines[0].equals(MAGIC)) {
        return Optional.empty();
      }
      String holder = null;
      String nonce = null;
      long expires = -1;
      for (String l : lines) {
        if (l.startsWith("holder=")) {
          holder = l.substring(7);
        } else if (l.startsWith("nonce=")) {
          nonce = l.substring(6);
        } else if (l.startsWith("expires=")) {
          try {
            expires = Long.parseLong(l.substring(8));
          } catch (NumberFormatException e) {
            return Optional.empty();
          }
        }
      }
      if (holder == null || nonce == null || expires < 0) {
        return Optional.empty();
      }
      return Optional.of(new Content(holder, expires, nonce));
    }
  }

  private final String tenantId;
  private final ConditionalStore store;
  private final String holder;
  private final long ttlMillis;
  private final long marginMillis;
  private final Clock clock;
  private final String nonce = UUID.randomUUID().toString();
  private final AtomicReference<String> lostReason = new AtomicReference<>();
  private final java.util.concurrent.locks.ReentrantLock renewLock = new java.util.concurrent.locks.ReentrantLock();
  private volatile Consumer<String> onLost = r -> {};
  private volatile String etag;
  private volatile long expiresAt;
  private volatile boolean released;
  private volatile boolean renewalsPaused; // test hook: a "paused" holder

  private TenantLease(String tenantId, ConditionalStore store, String holder, Duration ttl, Clock clock) {
    this.tenantId = tenantId;
    this.store = store;
    this.holder = holder;
    this.ttlMillis = ttl.toMillis();
    this.marginMillis = ttlMillis / 6;
    this.clock = clock;
  }

  /**
   * Takes the lease of a tenant.
   *
   * @throws TenantBusyException if another holder's lease is live
   * @throws IOException if the store fails (the outcome may be unknown: a lease we created but did
   *     not learn about simply expires)
   */
  static TenantLease acquire(String tenantId, ConditionalStore store, String holder, Duration ttl, Clock clock)
      throws IOException {
    TenantLease l = new TenantLease(tenantId, store, holder, ttl, clock);
    l.take();
    return l;
  }

  private void take() throws IOException {
    long now = clock.millis();
    byte[] mine = new Content(holder, now + ttlMillis, nonce).encode();
    // First assume the object is absent (the previous holder released it on eviction, or the
    // tenant is new) and create it straight away. The write's etag comes back with it: one
    // request in all when the tenant is free. If the object exists, read it and decide.
    Optional<String> won = store.tryCreate(OBJECT, mine);
    Optional<Versioned> cur = Optional.empty();
    for (int attempt = 0; won.isEmpty() && attempt < 3; attempt++) {
      cur = store.read(OBJECT);
      if (cur.isEmpty()) {
        won = store.tryCreate(OBJECT, mine); // released meanwhile
        continue;
      }
      Optional<Content> c = Content.decode(cur.get().data());
      if (c.isPresent() && c.get().expiresAtMillis() > now && !c.get().holder().equals(holder)) {
        throw new TenantBusyException(tenantId, c.get().holder(), Instant.ofEpochMilli(c.get().expiresAtMillis()));
      }
      if (c.isPresent() && c.get().expiresAtMillis() <= now) {
        LOG.log(Level.INFO, "runnel-tenant [{0}] taking over the lease of {1}, expired at {2}", tenantId,
            c.get().holder(), Instant.ofEpochMilli(c.get().expiresAtMillis()));
      }
      // Conditional on the etag just read: of several processes taking over, exactly one wins.
      won = store.tryReplace(OBJECT, mine, cur.get().etag());
    }
    if (won.isPresent()) {
      // No read back: a competitor could only have replaced it since if its clock ran more than
      // the TTL ahead of ours (clocks must agree to within TTL/6, see the class comment); even
      // then our first renewal or fencing check with a remote read finds the lease lost.
      etag = won.get();
      expiresAt = now + ttlMillis;
      return;
    }
    Optional<Content> c = cur.flatMap(v -> Content.decode(v.data()));
    throw new TenantBusyException(tenantId, c.map(Content::holder).orElse("(unknown)"),
        Instant.ofEpochMilli(c.map(Content::expiresAtMillis).orElse(0L)));
  }

  String holder() {
    return holder;
  }

  /** When the lease runs out unless renewed (this process's clock). */
  Instant expiresAt() {
    return Instant.ofEpochMilli(expiresAt);
  }

  boolean isLost() {
    return lostReason.get() != null;
  }

  String lostReason() {
    return lostReason.get();
  }

  /** Called once, asynchronously safe, when the lease is found lost. */
  void onLost(Consumer<String> callback) {
    this.onLost = callback;
    if (isLost()) {
      callback.accept(lostReason.get());
    }
  }

  void pauseRenewals(boolean paused) {
    this.renewalsPaused = paused;
  }

  private void markLost(String reason) {
    if (lostReason.compareAndSet(null, reason)) {
      LOG.log(Level.WARNING, "runnel-tenant [{0}] lease lost: {1}", tenantId, reason);
      try {
        onLost.accept(reason);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "runnel-tenant [" + tenantId + "] lease-lost callback failed", e);
      }
    }
  }

  /** One renewal; never throws. Skipped if another renewal is in flight. */
  void renew() {
    if (released || isLost() || renewalsPaused || !renewLock.tryLock()) {
      return;
    }
    try {
      renewLocked();
    } finally {
      renewLock.unlock();
    }
  }

  /** Renews unless a concurrent renewal (waited for) already moved the expiry out of the margin. */
  private void renewIfStillDue() {
    if (released || isLost() || renewalsPaused) {
      return;
    }
    renewLock.lock();
    try {
      if (clock.millis() >= expiresAt - marginMillis) {
        renewLocked();
      }
    } finally {
      renewLock.unlock();
    }
  }

  private void renewLocked() {
    long now = clock.millis();
    Content next = new Content(holder, now + ttlMillis, nonce);
    try {
      Optional<String> renewed = store.tryReplace(OBJECT, next.encode(), etag);
      if (renewed.isPresent()) {
        etag = renewed.get();
        expiresAt = next.expiresAtMillis();
      } else {
        // Tells an earlier ambiguous write of ours that did land (our nonce: adopt its etag) from
        // a takeover (someone else's: the lease is lost).
        adoptCurrentEtag();
      }
    } catch (IOException e) {
      if (clock.millis() >= expiresAt - marginMillis) {
        markLost("could not renew before expiry: " + e.getMessage());
      } else {
        LOG.log(Level.WARNING, "runnel-tenant [{0}] lease renewal failed (will retry): {1}", tenantId,
            e.getMessage());
      }
    }
  }

  /** Reads the object; if it carries our nonce, remembers its etag and expiry and returns true. */
  private boolean adoptCurrentEtag() throws IOException {
    Optional<Versioned> cur = store.read(OBJECT);
    Optional<Content> c = cur.flatMap(v -> Content.decode(v.data()));
    if (c.isPresent() && c.get().nonce().equals(nonce)) {
      etag = cur.get().etag();
      expiresAt = c.get().expiresAtMillis();
      return true;
    }
    if (cur.isPresent() || c.isPresent()) {
      markLost("taken over by " + c.map(Content::holder).orElse("(unreadable lease)"));
    } else {
      markLost("lease object deleted");
    }
    return false;
  }

  /**
   * Fencing check before an upload. Throws unless the lease is ours, unreleased and not within
   * TTL/6 of expiring (a lease that close to expiry is renewed on the spot, which proves ownership
   * by compare-and-swap); with {@code remote}, also re-reads the lease object and compares nonces.
   * The window that remains: the time between this check and the upload becoming visible (one
   * request, normally milliseconds; a process paused inside it for longer than TTL/6 could still
   * land one file after a takeover).
   */
  void checkWritable(boolean remote) throws IOException {
    String lost = lostReason.get();
    if (lost != null) {
      throw new IOException("runnel-tenant [" + tenantId + "] lease lost (" + lost + "); upload fenced");
    }
    if (released) {
      throw new IOException("runnel-tenant [" + tenantId + "] lease released; upload fenced");
    }
    if (clock.millis() >= expiresAt - marginMillis) {
      // Late (a pause, a slow timer, a clock jump): renew now. Success proves by compare-and-swap
      // on our etag that nobody took the lease meanwhile; failure marks it lost.
      renewIfStillDue();
      lost = lostReason.get();
      if (lost != null) {
        throw new IOException("runnel-tenant [" + tenantId + "] lease lost (" + lost + "); upload fenced");
      }
      if (clock.millis() >= expiresAt - marginMillis) {
        throw new IOException("runnel-tenant [" + tenantId + "] lease expires at " + Instant.ofEpochMilli(expiresAt)
            + " and could not be renewed in time; upload fenced");
      }
      return;
    }
    if (remote) {
      Optional<Content> c = store.read(OBJECT).flatMap(v -> Content.decode(v.data()));
      if (c.isEmpty() || !c.get().nonce().equals(nonce)) {
        markLost(c.map(x -> "taken over by " + x.holder()).orElse("lease object deleted"));
        throw new IOException("runnel-tenant [" + tenantId + "] lease is no longer ours; upload fenced");
      }
    }
  }

  /** Deletes the lease object if it is still ours. Idempotent. */
  void release() throws IOException {
    if (released) {
      return;
    }
    released = true;
    if (isLost()) {
      return;
    }
    if (!store.deleteIfUnchanged(OBJECT, etag)) {
      Optional<Versioned> cur = store.read(OBJECT);
      Optional<Content> c = cur.flatMap(v -> Content.decode(v.data()));
      if (c.isPresent() && c.get().nonce().equals(nonce)) {
        store.deleteIfUnchanged(OBJECT, cur.get().etag());
      }
    }
  }
}
