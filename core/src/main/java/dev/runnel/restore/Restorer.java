package dev.runnel.restore;

import dev.runnel.io.Durable;
import dev.runnel.ltx.LtxCompactor;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxMaterializer;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Restores a database from a replica: plans (a pure function of the listing), downloads the
 * planned files in parallel into a temp directory beside the output, merges them page by page into
 * {@code <out>.tmp}, fsyncs, renames over {@code <out>}, fsyncs the directory and optionally runs
 * an integrity check. A file replica is read in place; a plan of at most 4 MiB (compressed) from
 * another replica is downloaded into memory instead of a temp directory. Page ranges are
 * decoded, verified and written on {@link Options#decodeThreads()} threads
 * ({@link LtxMaterializer#materializeFiles}). Memory is bounded by the decode buffers (about 1 MiB
 * per thread), the page indexes (16 bytes per page frame) and those 4 MiB, not by the size of the
 * page data.
 *
 * <p>Never overwrites an existing database unless {@link Options#overwrite()} is set; on any
 * failure no {@code <out>} appears and temp files are removed. Stateless and thread-safe.
 */
public final class Restorer {
  /** Most files merged at once; more are merged in rounds first. */
  static final int MAX_OPEN_INPUTS = 128;
  /** Plans smaller than this (compressed bytes) decode on the calling thread only. */
  static final long SINGLE_THREAD_BYTES = 4L << 20;
  /**
   * Durable restores of at least this many replica bytes flush the output while it is written
   * ({@link WriteBehind}, every 8 or 16 MiB of growth): the final fsync then has little left, which
   * for a 200 MB database is most of the time {@code cp + fsync} spends.
   */
  static final long WRITE_BEHIND_MIN_BYTES = 16L << 20;
  static final long WRITE_BEHIND_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /**
   * Plans of at most this many bytes (compressed) from a remote replica are downloaded into memory:
   * a tenant's cold start then creates no temp directory and writes and re-reads no temp file.
   */
  static final long IN_MEMORY_BYTES = 4L << 20;

  private Restorer() {}

  /**
   * @param parallelism concurrent downloads (default 8)
   * @param integrityCheck check run on the result; the output is deleted if it fails (default none)
   * @param overwrite replace an existing output and remove its {@code -wal}/{@code -shm} (default false)
   * @param durable fsync the output and its directory before returning (default true). Turn off
   *     only for a scratch copy that is never trusted after a crash, e.g. a tenant cache file
   *     (the tenant manager deletes its whole cache directory at startup): the rename stays atomic
   *     for other readers, but after a power loss the file may be torn
   * @param decodeThreads threads that decode, verify and write page ranges (default
   *     {@link LtxMaterializer#defaultThreads()}: the number of CPUs, at most 4); each holds about
   *     1 MiB of buffers
   */
  public record Options(int parallelism, IntegrityCheck integrityCheck, boolean overwrite, boolean durable,
      int decodeThreads) {
    public Options {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
      }
      Objects.requireNonNull(integrityCheck, "integrityCheck");
      if (decodeThreads < 1) {
        throw new IllegalArgumentException("decodeThreads must be >= 1, got " + decodeThreads);
      }
    }

    /** Durable options with the default decode threads. */
    public Options(int parallelism, IntegrityCheck integrityCheck, boolean overwrite) {
      this(parallelism, integrityCheck, overwrite, true, LtxMaterializer.defaultThreads());
    }

    public static Options defaults() {
      return new Options(8, IntegrityCheck.NONE, false);
    }

    public Options withParallelism(int n) {
      return new Options(n, integrityCheck, overwrite, durable, decodeThreads);
    }

    public Options withIntegrityCheck(IntegrityCheck c) {
      return new Options(parallelism, c, overwrite, durable, decodeThreads);
    }

    public Options withOverwrite(boolean o) {
      return new Options(parallelism, integrityCheck, o, durable, decodeThreads);
    }

    public Options withDurable(boolean d) {
      return new Options(parallelism, integrityCheck, overwrite, d, decodeThreads);
    }

    public Options withDecodeThreads(int n) {
      return new Options(parallelism, integrityCheck, overwrite, durable, n);
    }
  }

  /** What a restore did. */
  public record Result(Path output, TxId txId, int pageSize, int pageCount, List<LtxFileInfo> files,
      long bytesDownloaded, Duration elapsed) {}

  /** Plans and restores {@code target} from {@code replica} into {@code output}. */
  public static Result restore(ReplicaClient replica, RestoreTarget target, Path output, Options options)
      throws IOException {
    RestorePlan plan = RestorePlanner.plan(replica, target);
    return restore(replica, plan, output, options);
  }

  /** Restores an already computed plan. */
  public static Result restore(ReplicaClient replica, RestorePlan plan, Path output, Options options)
      throws IOException {
    long t0 = System.nanoTime();
    Path out = output.toAbsolutePath().normalize();
    if (Files.exists(out) && !options.overwrite()) {
      throw new FileAlreadyExistsException(out.toString(), null,
          "cannot restore, output path already exists (use overwrite/-force to replace it)");
    }
    Path dir = out.getParent();
    Files.createDirectories(dir);
    Path work = null; // temp directory of downloads, only when they go to disk
    Path tmp = dir.resolve(out.getFileName() + ".tmp");
    boolean done = false;
    try {
      // A local (file) replica is read in place when its files can be merged in one round; anything
      // else is first downloaded in parallel, so slow object-store streams never stall the merge:
      // into memory when small, else into a temp directory.
      boolean oneRound = plan.files().size() <= MAX_OPEN_INPUTS;
      long bytes = plan.files().stream().mapToLong(LtxFileInfo::size).sum();
      List<LtxMaterializer.Source> inputs = new ArrayList<>();
      if (replica instanceof FileReplicaClient files && oneRound) {
        for (LtxFileInfo f : plan.files()) {
          inputs.add(new LtxMaterializer.FileInput(files.filePath(f.level(), f.minTxId(), f.maxTxId()), describe(f)));
        }
      } else if (bytes <= IN_MEMORY_BYTES && oneRound) {
        byte[][] data = downloadToMemory(replica, plan.files(), options.parallelism());
        for (int i = 0; i < data.length; i++) {
          inputs.add(new LtxMaterializer.BytesInput(data[i], describe(plan.files().get(i))));
        }
      } else {
        work = Files.createTempDirectory(dir, "." + out.getFileName() + ".restore-");
        for (Path p : mergeDown(download(replica, plan.files(), work, options.parallelism()), work)) {
          inputs.add(new LtxMaterializer.FileInput(p, p.getFileName().toString()));
        }
      }
      LtxMaterializer.Result r;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        // Starting decode threads costs more than decoding a few MiB on one (tenant cold starts).
        int threads = bytes < SINGLE_THREAD_BYTES ? 1 : options.decodeThreads();
        if (options.durable() && bytes >= WRITE_BEHIND_MIN_BYTES) {
          try (WriteBehind wb = WriteBehind.start(ch, tmp, WRITE_BEHIND_POLL_NANOS)) {
            r = LtxMaterializer.materializeFiles(inputs, ch, threads);
            wb.finish();
          }
        } else {
          r = LtxMaterializer.materializeFiles(inputs, ch, threads);
        }
        if (options.durable()) {
          ch.force(true);
        }
      }
      if (options.overwrite()) {
        for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
          Files.deleteIfExists(dir.resolve(out.getFileName() + suffix));
        }
      }
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (options.durable()) {
        Durable.fsyncDirectory(dir);
      }
      try {
        options.integrityCheck().run(out);
      } catch (IOException e) {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
          Files.deleteIfExists(dir.resolve(out.getFileName() + suffix));
        }
        throw e;
      }
      done = true;
      return new Result(out, r.header().maxTxId(), r.header().pageSize(), r.header().commit(), plan.files(), bytes,
          Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  /**
   * Merges consecutive groups of files until few enough remain to merge at once, so a restore
   * never holds more than {@link #MAX_OPEN_INPUTS} files (and page buffers) open.
   */
  private static List<Path> mergeDown(List<Path> files, Path work) throws IOException {
    return LtxCompactor.mergeInRounds(files, MAX_OPEN_INPUTS, work, (group, out) -> {
      List<LtxDecoder> decoders = new ArrayList<>();
      try (var os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
        for (Path p : group) {
          decoders.add(new LtxDecoder(new BufferedInputStream(Files.newInputStream(p), 64 * 1024),
              p.getFileName().toString()));
        }
        LtxCompactor.compact(decoders, os);
      } finally {
        for (LtxDecoder d : decoders) {
          d.close();
        }
      }
      for (Path p : group) {
        Files.deleteIfExists(p);
      }
      return out;
    });
  }

  private static String describe(LtxFileInfo f) {
    return "L" + f.level() + "/" + f.name();
  }

  private static List<Path> download(ReplicaClient replica, List<LtxFileInfo> files, Path work, int parallelism)
      throws IOException {
    List<Path> paths = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      paths.add(work.resolve(i + "-" + files.get(i).name()));
    }
    forEachFile(replica, files, parallelism, (i, in) -> Files.copy(in, paths.get(i), StandardCopyOption.REPLACE_EXISTING));
    return paths;
  }

  /** Every file's bytes, read at the size the listing gives (one copy: from the stream into the array). */
  private static byte[][] downloadToMemory(ReplicaClient replica, List<LtxFileInfo> files, int parallelism)
      throws IOException {
    byte[][] data = new byte[files.size()][];
    forEachFile(replica, files, parallelism, (i, in) -> data[i] = readAll(in, files.get(i).size()));
    return data;
  }

  static byte[] readAll(InputStream in, long expected) throws IOException {
    if (expected <= 0 || expected > IN_MEMORY_BYTES) {
      return in.readAllBytes();
    }
    byte[] b = new byte[(int) expected];
    int n = in.readNBytes(b, 0, b.length);
    if (n < b.length) {
      return java.util.Arrays.copyOf(b, n); // shorter than listed: the decoder reports what is missing
    }
    byte[] rest = in.readAllBytes();
    if (rest.length == 0) {
      return b;
    }
    byte[] all = java.util.Arrays.copyOf(b, b.length + rest.length); // longer: the decoder judges it whole
    System.arraycopy(rest, 0, all, b.length, rest.length);
    return all;
  }

  /** What to do with file {@code i}'s open stream. */
  private interface FileTask {
    void accept(int i, InputStream in) throws IOException;
  }

  /**
   * Opens every file and hands its stream to {@code task}, up to {@code parallelism} at once on
   * virtual threads (a single file on the calling thread); the first failure cancels the rest.
   */
  private static void forEachFile(ReplicaClient replica, List<LtxFileInfo> files, int parallelism, FileTask task)
      throws IOException {
    if (files.size() == 1) {
      try (InputStream in = replica.open(files.get(0))) {
        task.accept(0, in);
      }
      return;
    }
    Semaphore permits = new Semaphore(parallelism);
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        LtxFileInfo f = files.get(i);
        int index = i;
        futures.add(ex.submit(() -> {
          permits.acquire();
          try (InputStream in = replica.open(f)) {
            task.accept(index, in);
          } finally {
            permits.release();
          }
          return null;
        }));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          futures.get(i).get();
        } catch (ExecutionException e) {
          futures.forEach(fu -> fu.cancel(true));
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          }
          throw new IOException("download " + describe(files.get(i)) + " from " + replica.describe() + ": " + c, c);
        } catch (InterruptedException e) {
          futures.forEach(fu -> fu.cancel(true));
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("restore interrupted");
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
