package dev.runnel.compact;

import dev.runnel.ltx.LtxCompactor;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Level compaction, snapshots and retention for one replica, as Litestream 0.5 does them
 * (replica-layout.md §2–3), deciding from an in-memory index of the replica so that a pass with
 * nothing to do sends no request.
 *
 * <ul>
 *   <li>{@link #compact}: level N-1 into level N. Skipped when the newest level-N file was created
 *       after the latest boundary {@code truncate(now, interval)} ("too early") or when level N-1
 *       has nothing past level N's MinTXID ("nothing to compact"). Otherwise every level N-1 file
 *       with {@code MinTXID ≥ maxTXID(level N) + 1} is merged with {@link LtxCompactor} (flags
 *       0x2, header timestamp of the last input) into one file {@code [min..max]}. Inputs are
 *       local L0 copies where present, else downloaded to temp files (bounded memory; merged in
 *       rounds of at most 128). Where the source level itself has a TxId gap (history the
 *       database lost), each contiguous run becomes its own file, mirroring the gap, instead of
 *       failing forever as Litestream does.</li>
 *   <li>{@link #snapshot}: writes a level-9 snapshot unless too early or the newest snapshot
 *       already covers the database's position.</li>
 *   <li>{@link #enforceSnapshotRetention}: deletes snapshots created before {@code now -
 *       retention} except the newest, then files of levels 1..n with MaxTXID below the newest
 *       deleted snapshot's MaxTXID, keeping each level's last file.</li>
 *   <li>{@link #enforceL0Retention}: deletes L0 files already in L1 and older than the L0
 *       retention, in order, stopping at the first too-recent one; never the newest.</li>
 * </ul>
 *
 * Every write is atomic per the {@link ReplicaClient} contract and every delete removes only
 * files whose TxIds stay covered, so a crash at any point leaves a replica that restores to the
 * same states; the next pass simply carries on (it reloads the index after any failure).
 *
 * <p>Thread-safe: operations are serialized per instance.
 */
public final class ReplicaCompactor {
  private static final System.Logger LOG = System.getLogger(ReplicaCompactor.class.getName());
  static final int MAX_OPEN_INPUTS = 128;
  private static final int DOWNLOAD_PARALLELISM = 8;

  /** What one compaction or snapshot attempt did. */
  public enum Outcome { WROTE, TOO_EARLY, NOTHING_TO_DO }

  private final String name;
  private final ReplicaClient replica;
  private final LocalL0Store local;
  private final SnapshotSource snapshots;
  private final CompactionConfig config;
  private final Path workDir;
  private final ReplicaIndex index = new ReplicaIndex();
  private final Object lock = new Object();
  private long l0ChangesAtLastL1 = -1;

  final AtomicLong compactions = new AtomicLong();
  final AtomicLong snapshotsTaken = new AtomicLong();
  final AtomicLong filesDeleted = new AtomicLong();
  final AtomicLong localFilesRead = new AtomicLong();
  final AtomicLong remoteFilesRead = new AtomicLong();
  final AtomicLong verifyErrors = new AtomicLong();
  final AtomicLong errors = new AtomicLong();

  /**
   * @param name      for log messages, e.g. the database path
   * @param local     local L0 copies to prefer ({@link LocalL0Store#NONE} for none)
   * @param snapshots source of level-9 snapshots, or null if this compactor takes none
   * @param workDir   directory for temp files (created if missing; its contents are this
   *                  compactor's and are removed by {@link #cleanWorkDir()})
   */
  public ReplicaCompactor(String name, ReplicaClient replica, LocalL0Store local, SnapshotSource snapshots,
      CompactionConfig config, Path workDir) {
    this.name = Objects.requireNonNull(name, "name");
    this.replica = Objects.requireNonNull(replica, "replica");
    this.local = Objects.requireNonNull(local, "local");
    this.snapshots = snapshots;
    this.config = Objects.requireNonNull(config, "config");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
  }

  public ReplicaClient replica() {
    return replica;
  }

  public CompactionConfig config() {
    return config;
  }

  /** Records a file stored by someone else in this process (the uploader). */
  public void noteStored(LtxFileInfo f) {
    index.added(f);
  }

  /** Forces a reload of the replica listing before the next decision. */
  public void invalidate() {
    index.markStale();
  }

  /** Files per level 0..9 as the in-memory index sees them (no request). */
  public int[] fileCounts() {
    return index.counts();
  }

  /** Removes temp files left by a crash. */
  public void cleanWorkDir() throws IOException {
    deleteTree(workDir);
  }

  /** Reloads the index if it is stale (first use, or after a failure): one LIST per level. */
  public void refreshIfStale() throws IOException {
    synchronized (lock) {
      if (index.isStale()) {
        index.load(replica);
      }
    }
  }

  /** Whether L0 received files since the last level-1 compaction attempt. */
  boolean l0ChangedSinceLastL1() {
    return index.l0Changes() != l0ChangesAtLastL1;
  }

  /**
   * Compacts level {@code dstLevel - 1} into {@code dstLevel} (1..n).
   *
   * @param now the current time, for the "too early" rule
   */
  public Outcome compact(int dstLevel, Instant now) throws IOException {
    if (dstLevel < 1 || dstLevel > config.topLevel()) {
      throw new IllegalArgumentException("level " + dstLevel + " is not a compaction level 1.." + config.topLevel());
    }
    synchronized (lock) {
      return guarded(() -> compactLocked(dstLevel, now));
    }
  }

  private Outcome compactLocked(int dst, Instant now) throws IOException {
    refreshIfStale();
    long l0Seen = index.l0Changes();
    Instant prevBoundary = Boundaries.truncate(now, config.interval(dst));
    LtxFileInfo dstMax = index.maxFile(dst);
    if (dstMax != null && dstMax.createdAt().isAfter(prevBoundary)) {
      return Outcome.TOO_EARLY;
    }
    int src = dst - 1;
    LtxFileInfo srcMax = index.maxFile(src);
    if (dst == 1) {
      l0ChangesAtLastL1 = l0Seen;
    }
    if (srcMax == null || (dstMax != null && srcMax.maxTxId().compareTo(dstMax.minTxId()) <= 0)) {
      return Outcome.NOTHING_TO_DO;
    }
    TxId seek = dstMax == null ? TxId.ONE : dstMax.maxTxId().next();
    List<LtxFileInfo> inputs = index.files(src, seek);
    if (inputs.isEmpty()) {
      return Outcome.NOTHING_TO_DO;
    }
    TxId prevMax = dstMax == null ? TxId.ZERO : dstMax.maxTxId();
    for (List<LtxFileInfo> run : contiguousRuns(inputs)) {
      if (!run.get(0).minTxId().equals(prevMax.next())) {
        LOG.log(Level.WARNING, "{0}: L{1} has no TxIds {2}..{3}; L{4} keeps the same gap", name, src,
            prevMax.next(), run.get(0).minTxId().previous(), dst);
      }
      LtxFileInfo out = compactRun(dst, run);
      index.added(out);
      compactions.incrementAndGet();
      prevMax = out.maxTxId();
    }
    if (config.verifyCompaction()) {
      verifyLevel(dst);
    }
    if (dst == 1) {
      // Local copies of L0 files now in L1 are no longer needed (local clean-up, not retention).
      local.deleteThrough(prevMax);
    }
    return Outcome.WROTE;
  }

  /** Splits files (filename order) into runs where each file continues the previous one. */
  static List<List<LtxFileInfo>> contiguousRuns(List<LtxFileInfo> files) {
    List<List<LtxFileInfo>> runs = new ArrayList<>();
    List<LtxFileInfo> run = null;
    TxId max = TxId.ZERO;
    for (LtxFileInfo f : files) {
      if (run != null && !f.maxTxId().isAfter(max)) {
        continue; // wholly inside what the run already covers: nothing new
      }
      if (run == null || f.minTxId().compareTo(max.next()) > 0) {
        run = new ArrayList<>();
        runs.add(run);
      }
      run.add(f);
      max = f.maxTxId();
    }
    return runs;
  }

  private void verifyLevel(int level) {
    TxId prev = null;
    for (LtxFileInfo f : index.files(level)) {
      if (prev != null && !f.minTxId().equals(prev.next())) {
        verifyErrors.incrementAndGet();
        LOG.log(Level.WARNING, "{0}: L{1} not contiguous after compaction: {2} follows MaxTXID {3}", name, level,
            f.name(), prev);
      }
      prev = f.maxTxId();
    }
  }

  /** Merges one contiguous run of source files into one destination file. */
  private LtxFileInfo compactRun(int dst, List<LtxFileInfo> run) throws IOException {
    Files.createDirectories(workDir);
    Path work = Files.createTempDirectory(workDir, "L" + dst + "-");
    List<Input> inputs = List.of();
    try {
      inputs = fetch(run, work);
      List<Input> merged = mergeDown(inputs, work);
      Path out = work.resolve("out.ltx");
      mergeInto(merged, out);
      TxId min = run.get(0).minTxId();
      TxId max = run.get(run.size() - 1).maxTxId();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(out), 64 * 1024)) {
        return replica.write(dst, min, max, in);
      }
    } finally {
      for (Input in : inputs) {
        if (in.open != null) {
          in.open.close(); // idempotent; covers groups a failure kept from being merged
        }
      }
      deleteTree(work);
    }
  }

  /** An input file: local path (temp or meta directory) or an already open local stream. */
  private record Input(String source, Path path, InputStream open) {
    InputStream stream() throws IOException {
      return open != null ? open : Files.newInputStream(path);
    }
  }

  private List<Input> fetch(List<LtxFileInfo> run, Path work) throws IOException {
    Input[] inputs = new Input[run.size()];
    List<Integer> remote = new ArrayList<>();
    try {
      for (int i = 0; i < run.size(); i++) {
        LtxFileInfo f = run.get(i);
        Optional<InputStream> l = f.level() == 0 ? local.open(f.name()) : Optional.empty();
        if (l.isPresent()) {
          inputs[i] = new Input("local " + f, null, l.get());
          localFilesRead.incrementAndGet();
        } else {
          remote.add(i);
        }
      }
      download(run, remote, inputs, work);
    } catch (IOException | RuntimeException e) {
      for (Input in : inputs) {
        if (in != null && in.open != null) {
          try {
            in.open.close();
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      throw e;
    }
    return List.of(inputs);
  }

  private void download(List<LtxFileInfo> run, List<Integer> which, Input[] inputs, Path work) throws IOException {
    if (which.isEmpty()) {
      return;
    }
    Semaphore permits = new Semaphore(DOWNLOAD_PARALLELISM);
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i : which) {
        LtxFileInfo f = run.get(i);
        Path p = work.resolve("in-" + i + "-" + f.name());
        inputs[i] = new Input(f.toString(), p, null);
        futures.add(ex.submit(() -> {
          permits.acquire();
          try (InputStream in = replica.open(f)) {
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
          } finally {
            permits.release();
          }
          remoteFilesRead.incrementAndGet();
          return null;
        }));
      }
      for (Future<?> fu : futures) {
        try {
          fu.get();
        } catch (ExecutionException e) {
          futures.forEach(x -> x.cancel(true));
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IOException(name + ": download from " + replica.describe() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          futures.forEach(x -> x.cancel(true));
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("compaction interrupted");
        }
      }
    }
  }

  private List<Input> mergeDown(List<Input> inputs, Path work) throws IOException {
    int round = 0;
    while (inputs.size() > MAX_OPEN_INPUTS) {
      List<Input> next = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i += MAX_OPEN_INPUTS) {
        List<Input> group = inputs.subList(i, Math.min(i + MAX_OPEN_INPUTS, inputs.size()));
        if (group.size() == 1) {
          next.add(group.get(0));
          continue;
        }
        Path out = work.resolve("merge-" + round + "-" + i + ".ltx");
        mergeInto(group, out);
        next.add(new Input(out.getFileName().toString(), out, null));
      }
      inputs = next;
      round++;
    }
    return inputs;
  }

  /** Merges inputs into {@code out}; every input is verified completely (and closed). */
  private static void mergeInto(List<Input> inputs, Path out) throws IOException {
    List<LtxDecoder> decoders = new ArrayList<>();
    IOException failure = null;
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
      for (Input in : inputs) {
        decoders.add(new LtxDecoder(new BufferedInputStream(in.stream(), 64 * 1024), in.source()));
      }
      LtxCompactor.compact(decoders, os);
    } catch (IOException e) {
      failure = e;
      throw e;
    } finally {
      for (LtxDecoder d : decoders) {
        try {
          d.close();
        } catch (IOException e) {
          if (failure != null) {
            failure.addSuppressed(e);
          }
        }
      }
      for (Input in : inputs) {
        if (in.open != null) {
          in.open.close(); // a local stream whose decoder was never created
        }
      }
    }
  }

  /**
   * Takes a level-9 snapshot unless too early (newest snapshot created after the latest boundary)
   * or the newest snapshot already covers the database's position.
   */
  public Outcome snapshot(Instant now) throws IOException {
    if (snapshots == null) {
      return Outcome.NOTHING_TO_DO;
    }
    synchronized (lock) {
      return guarded(() -> {
        refreshIfStale();
        LtxFileInfo newest = index.maxFile(LtxFileInfo.SNAPSHOT_LEVEL);
        if (newest != null && newest.createdAt().isAfter(Boundaries.truncate(now, config.snapshotInterval()))) {
          return Outcome.TOO_EARLY;
        }
        TxId pos = snapshots.position();
        if (pos.isZero() || (newest != null && newest.maxTxId().compareTo(pos) >= 0)) {
          return Outcome.NOTHING_TO_DO;
        }
        index.added(snapshots.snapshot());
        snapshotsTaken.incrementAndGet();
        return Outcome.WROTE;
      });
    }
  }

  /**
   * Snapshot retention, then retention of levels 1..n by TxId (replica-layout.md §3).
   *
   * @return the number of files deleted
   */
  public int enforceSnapshotRetention(Instant now) throws IOException {
    synchronized (lock) {
      return guarded(() -> {
        refreshIfStale();
        Instant threshold = now.minus(config.snapshotRetention());
        List<LtxFileInfo> snaps = index.files(LtxFileInfo.SNAPSHOT_LEVEL);
        List<LtxFileInfo> doomed = new ArrayList<>();
        for (LtxFileInfo f : snaps) {
          if (f.createdAt().isBefore(threshold)) {
            doomed.add(f);
          }
        }
        if (!doomed.isEmpty() && doomed.getLast() == snaps.getLast()) {
          doomed.removeLast(); // always keep the newest snapshot
        }
        if (doomed.isEmpty() || !config.retentionEnabled()) {
          return 0;
        }
        TxId floor = TxId.ZERO;
        for (LtxFileInfo f : doomed) {
          floor = TxId.max(floor, f.maxTxId());
        }
        int n = delete(doomed);
        for (int level = 1; level <= config.topLevel(); level++) {
          List<LtxFileInfo> files = index.files(level);
          List<LtxFileInfo> below = new ArrayList<>();
          for (LtxFileInfo f : files) {
            if (f.maxTxId().isBefore(floor)) {
              below.add(f);
            }
          }
          if (!below.isEmpty() && below.getLast() == files.getLast()) {
            below.removeLast(); // always keep one file per level
          }
          n += delete(below);
        }
        return n;
      });
    }
  }

  /**
   * L0 retention (replica-layout.md §3): deletes L0 files with MaxTXID &le; the highest L1
   * MaxTXID and created at or before {@code now - l0Retention}, in filename order, stopping at the
   * first too-recent file; never the newest L0 file.
   *
   * @return the number of files deleted
   */
  public int enforceL0Retention(Instant now) throws IOException {
    if (config.l0Retention().isZero()) {
      return 0;
    }
    synchronized (lock) {
      return guarded(() -> {
        refreshIfStale();
        LtxFileInfo l1 = index.maxFile(1);
        if (l1 == null) {
          return 0;
        }
        Instant threshold = now.minus(config.l0Retention());
        List<LtxFileInfo> l0 = index.files(0);
        List<LtxFileInfo> doomed = new ArrayList<>();
        boolean all = true;
        for (LtxFileInfo f : l0) {
          if (f.createdAt().isAfter(threshold)) {
            all = false;
            break;
          }
          if (f.maxTxId().compareTo(l1.maxTxId()) <= 0) {
            doomed.add(f);
          }
        }
        if (all && !doomed.isEmpty() && doomed.getLast() == l0.getLast()) {
          doomed.removeLast();
        }
        if (doomed.isEmpty()) {
          return 0;
        }
        TxId max = doomed.getLast().maxTxId();
        int n = config.retentionEnabled() ? delete(doomed) : 0;
        local.deleteThrough(max);
        return n;
      });
    }
  }

  private int delete(List<LtxFileInfo> files) throws IOException {
    if (files.isEmpty()) {
      return 0;
    }
    // Oldest first: a crash part-way leaves the kept files contiguous.
    List<LtxFileInfo> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(LtxFileInfo::name));
    replica.delete(sorted);
    index.removed(sorted);
    filesDeleted.addAndGet(sorted.size());
    return sorted.size();
  }

  private interface Op<T> {
    T run() throws IOException;
  }

  /** Runs an operation; on failure the index may be out of date, so it is reloaded next time. */
  private <T> T guarded(Op<T> op) throws IOException {
    try {
      return op.run();
    } catch (IOException | RuntimeException e) {
      index.markStale();
      errors.incrementAndGet();
      throw e;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public String toString() {
    return "ReplicaCompactor[" + name + " -> " + replica.describe() + "]";
  }

}
