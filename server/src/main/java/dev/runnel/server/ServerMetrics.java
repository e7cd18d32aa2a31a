package dev.runnel.server;

import dev.runnel.metrics.PrometheusText;
import dev.runnel.replicate.ReplicationStatus;
import dev.runnel.tenant.EvictionCause;
import dev.runnel.tenant.TenantDatabases;
import dev.runnel.tenant.TenantInfo;
import dev.runnel.tenant.TenantMetrics;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP request metrics, recent events and errors, and the Prometheus rendering of those plus the
 * tenant manager's metrics and every hot tenant's replication status. Thread-safe.
 */
final class ServerMetrics {
  static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private record Key(String route, String method, int status) {}

  private static final class Timing {
    final LongAdder count = new LongAdder();
    final LongAdder micros = new LongAdder();
    final LongAdder[] buckets = new LongAdder[BUCKETS.length];

    Timing() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  /** An entry of the status page's "recent" lists. */
  record Event(Instant at, String tenant, String what, String message) {}

  private final ConcurrentHashMap<Key, LongAdder> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timing> durations = new ConcurrentHashMap<>();
  private final Deque<Event> errors = new ArrayDeque<>();
  private final Deque<Event> events = new ArrayDeque<>();
  private static final int KEEP = 50;

  void request(String route, String method, int status, long micros) {
    requests.computeIfAbsent(new Key(route, method, status), k -> new LongAdder()).increment();
    Timing t = durations.computeIfAbsent(route, k -> new Timing());
    t.count.increment();
    t.micros.add(micros);
    double s = micros / 1e6;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (s <= BUCKETS[i]) {
        t.buckets[i].increment();
      }
    }
  }

  void error(String tenant, String what, String message) {
    add(errors, new Event(Instant.now(), tenant, what, message));
  }

  void event(String tenant, String what, String message) {
    add(events, new Event(Instant.now(), tenant, what, message));
  }

  private static void add(Deque<Event> d, Event e) {
    synchronized (d) {
      d.addFirst(e);
      while (d.size() > KEEP) {
        d.removeLast();
      }
    }
  }

  List<Event> recentErrors() {
    synchronized (errors) {
      return new ArrayList<>(errors);
    }
  }

  List<Event> recentEvents() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  long totalRequests() {
    long n = 0;
    for (LongAdder a : requests.values()) {
      n += a.sum();
    }
    return n;
  }

  // ------------------------------------------------------------------------------ Prometheus

  String render(TenantDatabases tenants) {
    PrometheusText o = new PrometheusText();
    requests.forEach((k, v) -> o.add("runnel_http_requests_total", "counter", "HTTP requests by route, method and status",
        Map.of("route", k.route(), "method", k.method(), "status", Integer.toString(k.status())), v.sum()));
    new TreeMap<>(durations).forEach((route, t) -> {
      String f = "runnel_http_request_duration_seconds";
      String help = "HTTP request duration by route";
      for (int i = 0; i < BUCKETS.length; i++) {
        o.addSample(f, f + "_bucket", "histogram", help, Map.of("route", route, "le", PrometheusText.num(BUCKETS[i])),
            t.buckets[i].sum());
      }
      o.addSample(f, f + "_bucket", "histogram", help, Map.of("route", route, "le", "+Inf"), t.count.sum());
      o.addSample(f, f + "_sum", "histogram", help, Map.of("route", route), t.micros.sum() / 1e6);
      o.addSample(f, f + "_count", "histogram", help, Map.of("route", route), t.count.sum());
    });
    TenantMetrics m = tenants.metrics();
    Map<String, String> none = Map.of();
    o.add("runnel_tenants_hot", "gauge", "Tenants hot now", none, m.hotTenants());
    o.add("runnel_tenants_starting", "gauge", "Cold starts in progress", none, m.startingTenants());
    o.add("runnel_tenants_parked", "gauge", "Hot tenants parked (no descriptors; counted in hot too)", none,
        m.parkedTenants());
    o.add("runnel_tenant_parks_total", "counter", "Idle tenants parked", none, m.parks());
    o.add("runnel_tenant_unparks_total", "counter", "Parked tenants reopened by an acquire", none, m.unparks());
    o.add("runnel_tenant_park_failures_total", "counter", "Parkings abandoned (upload failed)", none,
        m.parkFailures());
    o.add("runnel_tenant_open_handles", "gauge", "Open tenant handles", none, m.openHandles());
    o.add("runnel_tenants_disk_bytes", "gauge", "Local bytes of hot tenants", none, m.diskBytes());
    o.add("runnel_tenant_cold_starts_total", "counter", "Successful cold starts", none, m.coldStarts());
    o.add("runnel_tenants_created_total", "counter", "Cold starts that created a new tenant", none, m.tenantsCreated());
    o.add("runnel_tenant_cold_start_failures_total", "counter", "Failed cold starts", none, m.coldStartFailures());
    o.add("runnel_tenant_hot_acquires_total", "counter", "Acquires of already-hot tenants", none, m.hotAcquires());
    for (EvictionCause c : EvictionCause.values()) {
      o.add("runnel_tenant_evictions_total", "counter", "Tenant evictions by cause",
          Map.of("cause", c.name().toLowerCase(Locale.ROOT)), m.evictions(c));
    }
    o.add("runnel_tenant_eviction_failures_total", "counter", "Evictions abandoned (upload failed)", none,
        m.evictionFailures());
    o.add("runnel_tenant_lease_conflicts_total", "counter", "Acquires refused: leased elsewhere", none,
        m.leaseConflicts());
    o.add("runnel_tenant_lease_losses_total", "counter", "Leases lost while hot", none, m.leaseLosses());
    for (TenantInfo t : tenants.tenants()) {
      if (t.replication().isEmpty()) {
        continue;
      }
      ReplicationStatus s = t.replication().get();
      Map<String, String> db = Map.of("db", s.db().toString(), "tenant", t.tenantId());
      o.add("litestream_db_size", "gauge", "The current size of the real DB", db, s.dbSize());
      o.add("litestream_wal_size", "gauge", "The current size of the real WAL", db, s.walOffset());
      o.add("litestream_total_wal_bytes", "counter", "Total number of bytes written to shadow WAL", db,
          s.walBytesTotal());
      o.add("litestream_txid", "gauge", "Current transaction ID", db, s.localTxId().value());
      o.add("litestream_sync_count", "counter", "Number of sync operations performed", db, s.syncCount());
      o.add("litestream_sync_error_count", "counter", "Number of sync errors that have occurred", db,
          s.syncErrorCount());
      o.add("litestream_sync_seconds", "counter", "Time spent syncing shadow WAL, in seconds", db,
          s.syncTime().toNanos() / 1e9);
      o.add("litestream_checkpoint_count", "counter", "Number of checkpoint operations", db, s.checkpointCount());
      double lag = s.lag().toNanos() / 1e9;
      o.add("litestream_replica_lag_seconds", "gauge", "Seconds since the oldest change not yet in the replica", db,
          lag);
      o.add("runnel_replica_txid", "gauge", "Newest transaction ID stored in the replica", db,
          s.replicatedTxId().value());
      o.add("runnel_replica_upload_count", "counter", "Uploads to the replica", db, s.uploadCount());
      o.add("runnel_replica_upload_bytes", "counter", "Bytes uploaded to the replica", db, s.uploadBytes());
      o.add("runnel_last_sync_timestamp_seconds", "gauge", "Unix time of the last sync that wrote an L0 file", db,
          s.lastSyncAt().map(x -> x.toEpochMilli() / 1000.0).orElse(0.0));
      o.add("runnel_last_upload_timestamp_seconds", "gauge", "Unix time of the last successful upload", db,
          s.lastUploadAt().map(x -> x.toEpochMilli() / 1000.0).orElse(0.0));
    }
    return o.text();
  }

}
