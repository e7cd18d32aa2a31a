package dev.runnel.tenant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when the test says so. Thread-safe. */
final class TestClock extends Clock {
  private final AtomicLong millis;

  TestClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  TestClock() {
    this(Instant.now());
  }

  void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }
}
