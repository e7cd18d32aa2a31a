package dev.runnel.tenant;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The counters behind {@link TenantDatabases#metrics()} and the listener fan-out of one manager.
 * Written by the cold start, the eviction and the acquire path; every field is thread-safe on
 * its own (adders, a copy-on-write list), so no lock guards them.
 */
final class TenantEvents {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());

  private final List<TenantListener> listeners = new CopyOnWriteArrayList<>();
  final LongAdder coldStarts = new LongAdder();
  final LongAdder created = new LongAdder();
  final LongAdder coldStartFailures = new LongAdder();
  final LongAdder hotAcquires = new LongAdder();
  final LongAdder evictionFailures = new LongAdder();
  final LongAdder leaseConflicts = new LongAdder();
  final LongAdder leaseLosses = new LongAdder();
  final LongAdder parks = new LongAdder();
  final LongAdder parkFailures = new LongAdder();
  final LongAdder unparks = new LongAdder();
  final LongAdder unparkFailures = new LongAdder();
  final LatencyHistogram.Recorder unparkLatency = new LatencyHistogram.Recorder();
  private final Map<EvictionCause, LongAdder> evictions = new EnumMap<>(EvictionCause.class);
  final LatencyHistogram.Recorder coldStartLatency = new LatencyHistogram.Recorder();

  TenantEvents(List<TenantListener> initial) {
    this.listeners.addAll(initial);
    for (EvictionCause c : EvictionCause.values()) {
      evictions.put(c, new LongAdder());
    }
  }

  void addListener(TenantListener l) {
    listeners.add(l);
  }

  void evicted(EvictionCause cause) {
    evictions.get(cause).increment();
  }

  /** Calls every listener; a failing listener is logged and does not stop the others. */
  void notify(Consumer<TenantListener> call) {
    for (TenantListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "runnel-tenant listener " + l + " failed", e);
      }
    }
  }

  TenantMetrics metrics(Collection<Tenant> tenants, int hot) {
    int starting = 0;
    int parked = 0;
    long handles = 0;
    long disk = 0;
    for (Tenant t : tenants) {
      if (!t.started.isDone()) {
        starting++;
      } else if (t.isHot()) {
        handles += Math.max(0, t.refs.get());
        disk += t.diskBytes;
        if (t.parked) {
          parked++;
        }
      }
    }
    Map<EvictionCause, Long> ev = new EnumMap<>(EvictionCause.class);
    evictions.forEach((k, v) -> ev.put(k, v.sum()));
    return new TenantMetrics(hot, starting, handles, disk, coldStarts.sum(), created.sum(),
        coldStartFailures.sum(), hotAcquires.sum(), coldStartLatency.snapshot(), ev, evictionFailures.sum(),
        leaseConflicts.sum(), leaseLosses.sum(), parked, parks.sum(), parkFailures.sum(), unparks.sum(),
        unparkFailures.sum(), unparkLatency.snapshot());
  }
}
