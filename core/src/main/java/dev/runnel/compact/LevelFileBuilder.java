package dev.runnel.compact;

import dev.runnel.ltx.LtxCompactor;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxFileName;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Writes one compacted level file for {@link ReplicaCompactor}: fetches the inputs (local L0
 * copies, the local copy of the last file written to a level, else downloads to temp files with
 * bounded parallelism), merges them with {@link LtxCompactor} in rounds of at most
 * {@value #MAX_OPEN_INPUTS} open files (bounded memory), stores the result and keeps it as the
 * local copy of its level's newest file.
 *
 * <p>Not thread-safe: the owning compactor serializes its calls.
 */
final class LevelFileBuilder {
  private static final System.Logger LOG = System.getLogger(LevelFileBuilder.class.getName());
  static final int MAX_OPEN_INPUTS = 128;
  private static final int DOWNLOAD_PARALLELISM = 8;
  private static final String KEEP_DIR = "kept";

  private final String name;
  private final ReplicaClient replica;
  private final LocalL0Store local;
  private final Path workDir;
  private final AtomicLong localFilesRead;
  private final AtomicLong remoteFilesRead;
  /** Per level 1..8: local copies of files written there (see {@link #keep}, {@link #retain}). */
  private final Map<Integer, Map<LtxFileName, Kept>> kept = new HashMap<>();

  LevelFileBuilder(String name, ReplicaClient replica, LocalL0Store local, Path workDir, AtomicLong localFilesRead,
      AtomicLong remoteFilesRead) {
    this.name = name;
    this.replica = replica;
    this.local = local;
    this.workDir = workDir;
    this.localFilesRead = localFilesRead;
    this.remoteFilesRead = remoteFilesRead;
  }

  /** Forgets the local copies and removes everything in the work directory. */
  void cleanWorkDir() throws IOException {
    kept.clear();
    deleteTree(workDir);
  }

  /**
   * Merges one contiguous run of source files into one file at level {@code dst}, stored in the
   * replica as {@code [first MinTXID .. last MaxTXID]}, and keeps a local copy of it.
   */
  LtxFileInfo build(int dst, List<LtxFileInfo> run) throws IOException {
    Files.createDirectories(workDir);
    Path work = Files.createTempDirectory(workDir, "L" + dst + "-");
    List<Input> inputs = List.of();
    try {
      inputs = fetch(run, work);
      List<Input> merged = LtxCompactor.mergeInRounds(inputs, MAX_OPEN_INPUTS, work, (group, groupOut) -> {
        mergeInto(group, groupOut);
        return new Input(groupOut.getFileName().toString(), groupOut, null);
      });
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
   * Keeps the file just written as a local copy: the next compactions of that level (cumulative
   * mode) and of the level above read it instead of downloading it. Best effort: without it they
   * download. {@link #retain} drops the copies no compaction will read again.
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
    kept.computeIfAbsent(written.level(), l -> new HashMap<>()).put(written.name(), new Kept(written, dst));
  }

  /**
   * Keeps the local copies of level {@code level} that are in {@code wanted} or are the newest
   * written there, and deletes the others.
   */
  void retain(int level, List<LtxFileInfo> wanted) {
    Map<LtxFileName, Kept> copies = kept.get(level);
    if (copies == null) {
      return;
    }
    Kept newest = copies.values().stream().max(Comparator.comparing((Kept k) -> k.file.maxTxId())
        .thenComparing(k -> k.file.minTxId())).orElse(null);
    copies.values().removeIf(k -> {
      boolean keep = k == newest || wanted.stream().anyMatch(w -> w.name().equals(k.file.name()));
      if (!keep) {
        deleteQuietly(k.path);
      }
      return !keep;
    });
  }

  /** The local copy of a level-1..8 file, if one is kept. */
  private Path keptCopy(LtxFileInfo f) {
    Map<LtxFileName, Kept> copies = kept.get(f.level());
    Kept k = copies == null ? null : copies.get(f.name());
    return k != null && k.file.size() == f.size() && Files.isRegularFile(k.path) ? k.path : null;
  }

  /** Drops the local copies of deleted files. */
  void forget(List<LtxFileInfo> deleted) {
    for (LtxFileInfo f : deleted) {
      Map<LtxFileName, Kept> copies = kept.get(f.level());
      Kept k = copies == null ? null : copies.remove(f.name());
      if (k != null) {
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

  /** A file written to a level and its local copy. */
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

  static void deleteTree(Path root) throws IOException {
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
