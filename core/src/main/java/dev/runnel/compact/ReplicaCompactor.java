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
 *       has nothing past level N's MinTXID ("nothing to compact"). Otherwise the level N-1 files
 *       with {@code MinTXID ≥ maxTXID(level N) + 1} are merged with {@link LtxCompactor} (flags
 *       0x2, header timestamp of the last input) into one file {@code [min..max]}: all of them in
 *       Litestream's layout; of overlapping (cumulative) files only the shortest chain covering
 *       them, i.e. normally just the newest. Inputs are local copies where present (L0 copies, and
 *       the last file this compactor wrote to each level), else downloaded to temp files (bounded
 *       memory; merged in rounds of at most 128). Where the source level itself has a TxId gap
 *       (history the database lost), each contiguous run becomes its own file, mirroring the
 *       gap, instead of failing forever as Litestream does.</li>
 *   <li>Cumulative level files ({@link CompactionConfig#cumulativeLevels()}, default): the new
 *       level-N file also repeats the level-N files since the <em>period base</em> — the highest
 *       MaxTXID of levels N+1..n and the snapshots, normally the newest level-(N+1) file, or the
 *       newest snapshot for the top level — so it covers {@code [base+1 .. newMax]} (or starts a
 *       little earlier at the top level, whose files may straddle a snapshot). A level's newest
 *       file then reaches back to where the level above ends, and a latest restore, planned by
 *       Litestream's own rules (larger MaxTXID first), reads the newest snapshot, at most one file
 *       per level and the L0 files since the last L1 compaction. The superseded files of a period
 *       stay for point-in-time restores until snapshot retention removes them by TxId, as it
 *       removes any level file. Each file overlaps the previous ones of its period; the restore
 *       planner and the LTX contiguity rule ({@code min ≤ prevMax + 1}) allow that. A crash
 *       leaves the previous cumulative file or the new one, each a valid restore source.</li>
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
  /** Per level 1..8: the newest file this compactor wrote there, kept locally (see {@link #keep}). */
  private final java.util.Map<Integer, Kept> kept = new java.util.HashMap<>();
  private static final String KEEP_DIR = "kept";

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
    synchronized (lock) {
      kept.clear();
    }
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
    List<LtxFileInfo> prefix = config.cumulativeLevels() ? cumulativePrefix(dst, dstMax) : List.of();
    boolean first = true;
    for (List<LtxFileInfo> run : coverRuns(inputs)) {
      List<LtxFileInfo> all = run;
      if (!run.get(0).minTxId().equals(prevMax.next())) {
        LOG.log(Level.WARNING, "{0}: L{1} has no TxIds {2}..{3}; L{4} keeps the same gap", name, src,
            prevMax.next(), run.get(0).minTxId().previous(), dst);
      } else if (first && !prefix.isEmpty()) {
        all = new ArrayList<>(prefix);
        all.addAll(run);
      }
      first = false;
      LtxFileInfo out = compactRun(dst, all);
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

  /**
   * The base of level {@code dst}'s current period: the highest MaxTXID of the levels a restore
   * reads before level {@code dst} (levels dst+1..n and the snapshots). Normally the newest file
   * of level dst+1, or the newest snapshot for the top level.
   */
  TxId periodBase(int dst) {
    TxId base = TxId.ZERO;
    for (int level = dst + 1; level <= config.topLevel(); level++) {
      LtxFileInfo f = index.maxFile(level);
      if (f != null) {
        base = TxId.max(base, f.maxTxId());
      }
    }
    LtxFileInfo snap = index.maxFile(LtxFileInfo.SNAPSHOT_LEVEL);
    return snap == null ? base : TxId.max(base, snap.maxTxId());
  }

  /**
   * Cumulative mode: the level-{@code dst} files a new level-{@code dst} file must repeat so that
   * it reaches back to its period's base: the shortest chain of level-{@code dst} files from one
   * starting at or before {@code base + 1} to {@code dstMax} (normally {@code dstMax} alone, the
   * previous cumulative file; several after a switch from Litestream's layout). Empty when a new
   * period starts (the level holds nothing past the base) or when the level has a TxId gap there.
   */
  private List<LtxFileInfo> cumulativePrefix(int dst, LtxFileInfo dstMax) {
    if (dstMax == null) {
      return List.of();
    }
    TxId base = periodBase(dst);
    if (!dstMax.maxTxId().isAfter(base)) {
      return List.of();
    }
    List<LtxFileInfo> files = index.files(dst);
    List<LtxFileInfo> chain = new ArrayList<>();
    TxId cur = base;
    while (cur.isBefore(dstMax.maxTxId())) {
      LtxFileInfo best = null;
      for (LtxFileInfo f : files) {
        if (f.minTxId().compareTo(cur.next()) <= 0 && f.maxTxId().isAfter(cur) && better(f, best)) {
          best = f;
        }
      }
      if (best == null) {
        LOG.log(Level.WARNING, "{0}: L{1} has no file continuing TxId {2}; starting a new cumulative file", name,
            dst, cur);
        return List.of();
      }
      chain.add(best);
      cur = best.maxTxId();
    }
    return chain;
  }

  /** Cover order: larger MaxTXID, then larger MinTXID (the smaller file). */
  private static boolean better(LtxFileInfo f, LtxFileInfo best) {
    if (best == null) {
      return true;
    }
    int c = f.maxTxId().compareTo(best.maxTxId());
    return c > 0 || (c == 0 && f.minTxId().isAfter(best.minTxId()));
  }

  /**
   * Splits files (filename order) into runs, each the shortest chain of files where every file
   * continues the previous one ({@code min ≤ prevMax + 1}, {@code max > prevMax}); a new run
   * starts at a TxId gap. Files another chosen file covers are left out (superseded cumulative
   * files). For Litestream's layout (abutting files) this is every file, in order.
   */
  static List<List<LtxFileInfo>> coverRuns(List<LtxFileInfo> files) {
    List<List<LtxFileInfo>> runs = new ArrayList<>();
    int i = 0;
    int n = files.size();
    while (i < n) {
      List<LtxFileInfo> run = new ArrayList<>();
      TxId reach = files.get(i).minTxId().previous();
      while (true) {
        LtxFileInfo best = null;
        while (i < n && files.get(i).minTxId().compareTo(reach.next()) <= 0) {
          LtxFileInfo f = files.get(i++);
          if (f.maxTxId().isAfter(reach) && better(f, best)) {
            best = f;
          }
        }
        if (best == null) {
          break;
        }
        run.add(best);
        reach = best.maxTxId();
      }
      runs.add(run);
    }
    return runs;
  }

  /** Contiguity of a level in filename order: a file starting after the highest MaxTXID so far is a gap. */
  private void verifyLevel(int level) {
    TxId reach = null;
    for (LtxFileInfo f : index.files(level)) {
      if (reach != null && f.minTxId().compareTo(reach.next()) > 0) {
        verifyErrors.incrementAndGet();
        LOG.log(Level.WARNING, "{0}: L{1} not contiguous after compaction: {2} follows MaxTXID {3}", name, level,
            f.name(), reach);
      }
      reach = reach == null ? f.maxTxId() : TxId.max(reach, f.maxTxId());
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
      LtxFileInfo written;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(out), 64 * 1024)) {
        written = replica.write(dst, min, max, in);
      }
      keep(written, out);
      return written;
    } finally {
      for (Input in : inputs) {
        if (in.open != null) {
          in.open.close(); // idempotent; covers groups a failure kept from being merged
        }
      }
      deleteTree(work);
    }
  }

  /**
   * Keeps the file just written as the local copy of its level's newest file: the next compaction
   * of that level (cumulative mode) and of the level above read it instead of downloading it.
   * Best effort: without it they download.
   */
  private void keep(LtxFileInfo written, Path out) {
    Path dir = workDir.resolve(KEEP_DIR);
    Path dst = dir.resolve("L" + written.level() + "-" + written.name());
    try {
      Files.createDirectories(dir);
      Files.move(out, dst, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "{0}: cannot keep a local copy of {1}: {2}", name, written, e.toString());
      return;
    }
    Kept old = kept.put(written.level(), new Kept(written, dst));
    if (old != null && !old.path.equals(dst)) {
      deleteQuietly(old.path);
    }
  }

  /** The local copy of a level-1..8 file, if it is the one kept. */
  private Path keptCopy(LtxFileInfo f) {
    Kept k = kept.get(f.level());
    return k != null && k.file.name().equals(f.name()) && k.file.size() == f.size() && Files.isRegularFile(k.path)
        ? k.path : null;
  }

  private void forget(List<LtxFileInfo> deleted) {
    for (LtxFileInfo f : deleted) {
      Kept k = kept.get(f.level());
      if (k != null && k.file.name().equals(f.name())) {
        kept.remove(f.level());
        deleteQuietly(k.path);
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a stale copy in the work directory; removed at the next attach
    }
  }

  /** The last file written to a level and its local copy. */
  private record Kept(LtxFileInfo file, Path path) {}

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
        Path keptPath = f.level() > 0 ? keptCopy(f) : null;
        if (keptPath != null) {
          inputs[i] = new Input("local copy of " + f, keptPath, null);
          localFilesRead.incrementAndGet();
        } else if (l.isPresent()) {
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
    forget(sorted);
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
