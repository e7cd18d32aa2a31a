package dev.runnel.verify;

import dev.runnel.ltx.LtxCorruptException;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.ReplicaListing;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import dev.runnel.verify.VerifyProblem.Kind;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Checks a whole replica and reports every problem found (not just the first):
 *
 * <ol>
 *   <li>Lists every level and downloads every file (in parallel, streamed: memory is one page
 *       plus the decoder's buffers per download), strictly decoding each: file checksum, page
 *       index, trailer, header rules, snapshot completeness.</li>
 *   <li>Each header must match its file name (MinTXID/MaxTXID) and level: level-9 files are
 *       snapshots (start at TxId 1), files of levels 1..8 are compactions (zero WAL fields). All
 *       files share one page size.</li>
 *   <li>TxId contiguity: L0 strictly contiguous from its first file ({@code min = prevMax + 1});
 *       levels 1..8 contiguous within the level: a gap is an error; a file that starts where the
 *       file reaching furthest so far starts and extends it (a cumulative level file, see
 *       {@code CompactionConfig.cumulativeLevels}) or lies wholly inside what the level already
 *       covers (a superseded file) is the expected shape; any other overlap is a warning.</li>
 *   <li>Test restore of the latest state into a temp file, with {@code PRAGMA integrity_check};
 *       optionally every snapshot on its own too.</li>
 * </ol>
 *
 * Stateless and thread-safe.
 */
public final class ReplicaVerifier {
  private ReplicaVerifier() {}

  /**
   * @param parallelism        concurrent downloads (default 8)
   * @param restoreLatest      test-restore the latest state (default true)
   * @param restoreEverySnapshot also restore and check each snapshot alone (default false)
   * @param integrityCheck     check run on test restores (default FULL)
   * @param tempDir            where test restores go; null = a new system temp directory
   */
  public record Options(int parallelism, boolean restoreLatest, boolean restoreEverySnapshot,
      IntegrityCheck integrityCheck, Path tempDir) {
    public Options {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
      }
      Objects.requireNonNull(integrityCheck, "integrityCheck");
    }

    public static Options defaults() {
      return new Options(8, true, false, IntegrityCheck.FULL, null);
    }

    public Options withRestoreEverySnapshot(boolean b) {
      return new Options(parallelism, restoreLatest, b, integrityCheck, tempDir);
    }

    public Options withRestoreLatest(boolean b) {
      return new Options(parallelism, b, restoreEverySnapshot, integrityCheck, tempDir);
    }

    public Options withTempDir(Path dir) {
      return new Options(parallelism, restoreLatest, restoreEverySnapshot, integrityCheck, dir);
    }

    public Options withParallelism(int n) {
      return new Options(n, restoreLatest, restoreEverySnapshot, integrityCheck, tempDir);
    }
  }

  /** What decoding one file found. */
  private record Checked(LtxFileInfo file, LtxHeader header, List<VerifyProblem> problems) {}

  /**
   * Verifies a replica.
   *
   * @throws InterruptedIOException if interrupted; every other failure is reported as a problem
   */
  public static VerifyResult verify(ReplicaClient replica, Options options) throws IOException {
    List<VerifyProblem> problems = new ArrayList<>();
    ReplicaListing listing;
    try {
      listing = ReplicaListing.fetch(replica, false);
    } catch (IOException | RuntimeException e) {
      problems.add(VerifyProblem.error(Kind.LIST_FAILED, -1, null, null, null,
          "cannot list replica " + replica.describe() + ": " + e.getMessage()));
      return result(replica, problems, new int[10], 0, 0, 0, Optional.empty(), 0);
    }
    int[] counts = new int[10];
    long bytes = 0;
    List<LtxFileInfo> all = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      counts[level] = listing.level(level).size();
      for (LtxFileInfo f : listing.level(level)) {
        bytes += f.size();
        all.add(f);
      }
    }
    if (all.isEmpty()) {
      problems.add(VerifyProblem.error(Kind.EMPTY, -1, null, null, null,
          "replica " + replica.describe() + " holds no LTX files"));
      return result(replica, problems, counts, 0, 0, 0, Optional.empty(), 0);
    }

    List<Checked> checked = decodeAll(replica, all, options.parallelism());
    int good = 0;
    int bad = 0;
    TreeMap<Integer, List<LtxFileInfo>> pageSizes = new TreeMap<>();
    List<LtxFileInfo> goodSnapshots = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      for (Checked c : checked) {
        if (c.file.level() != level) {
          continue;
        }
        problems.addAll(c.problems);
        boolean decoded = c.problems.stream().noneMatch(p -> p.kind() == Kind.CORRUPT || p.kind() == Kind.READ_FAILED);
        if (decoded) {
          good++;
          pageSizes.computeIfAbsent(c.header.pageSize(), k -> new ArrayList<>()).add(c.file);
          if (level == LtxFileInfo.SNAPSHOT_LEVEL && c.problems.isEmpty()) {
            goodSnapshots.add(c.file);
          }
        } else {
          bad++;
        }
      }
      checkContiguity(level, listing.level(level), problems);
    }
    if (pageSizes.size() > 1) {
      int common = pageSizes.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size())).get().getKey();
      pageSizes.forEach((size, files) -> {
        if (size != common) {
          for (LtxFileInfo f : files) {
            problems.add(VerifyProblem.error(Kind.PAGE_SIZE_MISMATCH, f.level(), f.name().toString(),
                Integer.toString(common), Integer.toString(size), "L" + f.level() + "/" + f.name() + ": page size "
                    + size + ", but the other files of the replica use " + common));
          }
        }
      });
    }

    Optional<TxId> restored = Optional.empty();
    int snapshotsRestored = 0;
    if (options.restoreLatest() || options.restoreEverySnapshot()) {
      Path tmp = options.tempDir() != null ? Files.createDirectories(options.tempDir())
          : Files.createTempDirectory("runnel-verify-");
      Path work = Files.createTempDirectory(tmp, "verify-");
      try {
        if (options.restoreLatest()) {
          restored = restoreLatest(replica, listing, work, options, problems);
        }
        if (options.restoreEverySnapshot()) {
          for (LtxFileInfo s : goodSnapshots) {
            if (restoreAndCheck(replica, new RestorePlan(List.of(s), s.maxTxId()), "snapshot L9/" + s.name(),
                work.resolve("snapshot-" + s.maxTxId() + ".db"), options, problems)) {
              snapshotsRestored++;
            }
          }
        }
      } finally {
        deleteTree(work);
        if (options.tempDir() == null) {
          deleteTree(tmp);
        }
      }
    }
    return result(replica, problems, counts, bytes, good, bad, restored, snapshotsRestored);
  }

  private static VerifyResult result(ReplicaClient replica, List<VerifyProblem> problems, int[] counts, long bytes,
      int good, int bad, Optional<TxId> restored, int snapshots) {
    int errors = (int) problems.stream().filter(p -> p.severity() == VerifyProblem.Severity.ERROR).count();
    List<Integer> perLevel = new ArrayList<>();
    for (int c : counts) {
      perLevel.add(c);
    }
    return new VerifyResult(replica.describe(), problems, new VerifyResult.Summary(perLevel, bytes, good, bad, restored,
        snapshots, errors, problems.size() - errors));
  }

  private static List<Checked> decodeAll(ReplicaClient replica, List<LtxFileInfo> files, int parallelism)
      throws IOException {
    Semaphore permits = new Semaphore(parallelism);
    List<Checked> out = new ArrayList<>();
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Checked>> futures = new ArrayList<>();
      for (LtxFileInfo f : files) {
        futures.add(ex.submit(() -> {
          permits.acquire();
          try {
            return check(replica, f);
          } finally {
            permits.release();
          }
        }));
      }
      for (Future<Checked> fu : futures) {
        try {
          out.add(fu.get());
        } catch (ExecutionException e) {
          throw new IOException("verify: " + e.getCause(), e.getCause()); // check() reports, never throws
        } catch (InterruptedException e) {
          futures.forEach(x -> x.cancel(true));
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("verify interrupted");
        }
      }
    }
    return out;
  }

  /** Decodes one file completely and checks its header against its name and level. */
  private static Checked check(ReplicaClient replica, LtxFileInfo f) {
    List<VerifyProblem> problems = new ArrayList<>();
    String where = "L" + f.level() + "/" + f.name();
    String name = f.name().toString();
    if (f.level() == LtxFileInfo.SNAPSHOT_LEVEL && !f.minTxId().equals(TxId.ONE)) {
      problems.add(VerifyProblem.error(Kind.NOT_SNAPSHOT, f.level(), name, "min txid " + TxId.ONE,
          "min txid " + f.minTxId(), where + ": level-9 file does not start at TxId 1, so it is not a snapshot"));
    }
    LtxHeader header = null;
    try (InputStream raw = replica.open(f)) {
      LtxDecoder d = new LtxDecoder(new BufferedInputStream(raw, 64 * 1024), where);
      header = d.header();
      byte[] page = new byte[header.pageSize()];
      while (d.nextPage(page) != 0) {
        // every page is decompressed and hashed; the file checksum is checked at the end
      }
    } catch (LtxCorruptException e) {
      problems.add(VerifyProblem.error(Kind.CORRUPT, f.level(), name, e.expected(), e.actual(),
          e.getMessage()));
    } catch (IOException | RuntimeException e) {
      problems.add(VerifyProblem.error(Kind.READ_FAILED, f.level(), name, null, null,
          where + ": cannot read: " + e));
    }
    if (header != null) {
      if (!header.minTxId().equals(f.minTxId()) || !header.maxTxId().equals(f.maxTxId())) {
        String expected = header.minTxId() + "-" + header.maxTxId() + ".ltx";
        problems.add(VerifyProblem.error(Kind.NAME_MISMATCH, f.level(), name, expected, name,
            where + ": header covers TxIds " + header.minTxId() + ".." + header.maxTxId()
                + ", so the file should be named " + expected));
      }
      if (f.level() >= 1 && f.level() <= 8 && (header.walOffset() != 0 || header.walSize() != 0
          || header.walSalt1() != 0 || header.walSalt2() != 0)) {
        problems.add(VerifyProblem.error(Kind.LEVEL_MISMATCH, f.level(), name, "WAL fields 0 (a compaction)",
            "wal offset " + header.walOffset() + ", size " + header.walSize(),
            where + ": header has WAL fields (offset " + header.walOffset() + ", size " + header.walSize()
                + "), as an L0 sync or snapshot file has; compactions of levels 1..8 have none"));
      }
      if (f.level() == LtxFileInfo.SNAPSHOT_LEVEL && !header.isSnapshot() && f.minTxId().equals(TxId.ONE)) {
        problems.add(VerifyProblem.error(Kind.NOT_SNAPSHOT, f.level(), name, "min txid " + TxId.ONE,
            "min txid " + header.minTxId(), where + ": header does not start at TxId 1, so it is not a snapshot"));
      }
    }
    return new Checked(f, header, problems);
  }

  /**
   * L0: strictly contiguous. L1..8: gaps are errors; cumulative extensions (same MinTXID as the
   * file reaching furthest so far) and files wholly covered already are fine; other overlaps are
   * warnings. L9: not checked.
   */
  private static void checkContiguity(int level, List<LtxFileInfo> files, List<VerifyProblem> problems) {
    if (level == LtxFileInfo.SNAPSHOT_LEVEL) {
      return;
    }
    LtxFileInfo prev = null;
    for (LtxFileInfo f : files) {
      if (prev != null) {
        TxId want = prev.maxTxId().next();
        String where = "L" + level + "/" + f.name();
        int c = f.minTxId().compareTo(want);
        if (c > 0) {
          problems.add(VerifyProblem.error(Kind.GAP, level, f.name().toString(), "min txid " + want,
              "min txid " + f.minTxId(), where + ": TxIds " + want + ".." + f.minTxId().previous()
                  + " are missing from level " + level + " (previous file " + prev.name() + ")"));
        } else if (c < 0 && (level == 0 || !(f.minTxId().equals(prev.minTxId())
            || f.maxTxId().compareTo(prev.maxTxId()) <= 0))) {
          String msg = where + ": overlaps previous file " + prev.name() + " (expected min txid " + want + ")";
          problems.add(level == 0
              ? VerifyProblem.error(Kind.OVERLAP, level, f.name().toString(), "min txid " + want,
                  "min txid " + f.minTxId(), msg)
              : VerifyProblem.warning(Kind.OVERLAP, level, f.name().toString(), "min txid " + want,
                  "min txid " + f.minTxId(), msg));
        }
      }
      if (prev == null || f.maxTxId().isAfter(prev.maxTxId())) {
        prev = f;
      }
    }
  }

  private static Optional<TxId> restoreLatest(ReplicaClient replica, ReplicaListing listing, Path work, Options options,
      List<VerifyProblem> problems) {
    RestorePlan plan;
    try {
      plan = RestorePlanner.plan(listing, RestoreTarget.latest());
    } catch (IOException e) {
      problems.add(VerifyProblem.error(Kind.RESTORE_FAILED, -1, null, "a restore plan for the latest state", null,
          "cannot plan a restore of the latest state: " + e.getMessage()));
      return Optional.empty();
    }
    if (restoreAndCheck(replica, plan, "latest state (TxId " + plan.maxTxId() + ", " + plan.files().size() + " files)",
        work.resolve("latest.db"), options, problems)) {
      return Optional.of(plan.maxTxId());
    }
    return Optional.empty();
  }

  private static boolean restoreAndCheck(ReplicaClient replica, RestorePlan plan, String what, Path out,
      Options options, List<VerifyProblem> problems) {
    try {
      Restorer.restore(replica, plan, out, Restorer.Options.defaults().withParallelism(options.parallelism())
          .withOverwrite(true));
    } catch (IOException | RuntimeException e) {
      problems.add(VerifyProblem.error(Kind.RESTORE_FAILED, -1, null, null, null,
          "test restore of the " + what + " failed: " + e.getMessage()));
      return false;
    }
    try {
      options.integrityCheck().run(out);
      return true;
    } catch (IOException e) {
      problems.add(VerifyProblem.error(Kind.INTEGRITY_FAILED, -1, null, "ok", e.getMessage(),
          "test restore of the " + what + " fails the integrity check: " + e.getMessage()));
      return false;
    } finally {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        try {
          Files.deleteIfExists(out.resolveSibling(out.getFileName() + suffix));
        } catch (IOException ignored) {
          // a temp file; the work directory is removed anyway
        }
      }
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
}
