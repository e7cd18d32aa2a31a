package dev.runnel.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches the disk while a benchmark runs: a 4 KiB overwrite plus fsync of a probe file every
 * 100 ms, on the disk the benchmark uses. A lag tail that coincides with a slow probe is the disk
 * (this VM's disk stalls for up to a second now and then), not the system under test. The probe
 * costs ten small fsyncs a second, the same for every system measured.
 */
final class DiskProbe implements AutoCloseable {
  private final Path file;
  private final Thread thread;
  private final List<Double> millis = new ArrayList<>();
  private volatile boolean stop;

  private DiskProbe(Path file) {
    this.file = file;
    this.thread = new Thread(this::loop, "disk-probe");
    thread.setDaemon(true);
  }

  /** Starts probing with a file in {@code dir}. */
  static DiskProbe start(Path dir) {
    DiskProbe p = new DiskProbe(dir.resolve("disk-probe.bin"));
    p.thread.start();
    return p;
  }

  private void loop() {
    ByteBuffer page = ByteBuffer.allocate(4096);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      while (!stop) {
        long t0 = System.nanoTime();
        page.clear();
        page.putLong(0, t0);
        ch.write(page, 0);
        ch.force(false);
        double ms = (System.nanoTime() - t0) / 1e6;
        synchronized (millis) {
          millis.add(ms);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    } catch (IOException e) {
      System.err.println("disk probe stopped: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Latencies so far, ms. */
  List<Double> samples() {
    synchronized (millis) {
      return List.copyOf(millis);
    }
  }

  @Override
  public void close() throws IOException {
    stop = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(file);
  }
}
