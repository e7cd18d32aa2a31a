package dev.runnel.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Asks Linux to start writing a file's dirty pages to the device now, without waiting and without
 * the journal commit and device cache flush an {@code fdatasync} costs: {@code
 * sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE)} on a descriptor of its own.
 *
 * <p>A hint, never a durability guarantee: it says nothing about metadata or the device's cache,
 * so callers still {@code fsync} at the end. Its only job is to let the device work while the
 * writer is still producing data, so that final {@code fsync} has little left. Writeback errors it
 * provokes are remembered by the kernel and reported by that later {@code fsync} of the same file.
 *
 * <p>Uses the foreign function API through reflection: Runnel compiles for Java 21, where that API
 * is a preview, and it is final from Java 22. {@link #open} is empty (the caller falls back to
 * {@code fdatasync}) on another OS, on Java 21, or when native access is not enabled for Runnel's
 * module ({@code --enable-native-access=ALL-UNNAMED} on the class path, as sqlite-jdbc wants too).
 *
 * <p>{@link #start} may be called from one thread at a time; {@link #close()} is idempotent.
 */
public final class WritebackHint implements Closeable {
  private static final int O_RDONLY_CLOEXEC = 0x80000; // O_RDONLY (0) | O_CLOEXEC on Linux
  private static final int SYNC_FILE_RANGE_WRITE = 2;

  /** The bound functions, or null when unavailable (resolved once). */
  private static final Natives NATIVES = Natives.load();

  private final int fd;
  private final Path file;
  private boolean closed;

  private WritebackHint(int fd, Path file) {
    this.fd = fd;
    this.file = file;
  }

  /** Whether this JVM can give hints at all (Linux, Java 22 or later, native access allowed). */
  public static boolean supported() {
    return NATIVES != null;
  }

  /**
   * A hint handle for {@code file} (which must exist), or empty when hints are unsupported here or
   * the file cannot be opened by path (then the caller does without).
   */
  public static Optional<WritebackHint> open(Path file) {
    if (NATIVES == null) {
      return Optional.empty();
    }
    try {
      int fd = NATIVES.open(file.toAbsolutePath().toString());
      return fd < 0 ? Optional.empty() : Optional.of(new WritebackHint(fd, file));
    } catch (Throwable t) {
      return Optional.empty();
    }
  }

  /**
   * Starts writeback of the dirty pages in {@code [offset, offset + length)}; returns once the
   * writes are queued (it may block briefly while the device queue is full).
   *
   * @throws IOException if the kernel rejects the call (for example EIO after an earlier
   *     writeback error, or invalid arguments): the caller must then treat the file as suspect
   */
  public void start(long offset, long length) throws IOException {
    if (closed) {
      throw new IOException(file + ": writeback hint used after close");
    }
    int r;
    try {
      r = NATIVES.syncFileRange(fd, offset, length, SYNC_FILE_RANGE_WRITE);
    } catch (Throwable t) {
      throw new IOException(file + ": sync_file_range failed: " + t, t);
    }
    if (r != 0) {
      throw new IOException(file + ": sync_file_range(offset " + offset + ", length " + length
          + ") returned " + r);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    int r;
    try {
      r = NATIVES.close(fd);
    } catch (Throwable t) {
      throw new IOException(file + ": close of the writeback descriptor failed: " + t, t);
    }
    if (r != 0) {
      throw new IOException(file + ": close of the writeback descriptor returned " + r);
    }
  }

  /** libc's open, close and sync_file_range bound through java.lang.foreign, found reflectively. */
  private record Natives(MethodHandle openFn, MethodHandle closeFn, MethodHandle syncFileRangeFn,
      Method ofConfined, Method allocateFrom) {

    static Natives load() {
      if (!"Linux".equals(System.getProperty("os.name")) || Runtime.version().feature() < 22) {
        return null;
      }
      try {
        // Without native access granted, the first restricted call would print a warning (Java
        // 22+) or fail (later releases may deny it): then do without hints, silently.
        Method enabled = Module.class.getMethod("isNativeAccessEnabled");
        if (!(Boolean) enabled.invoke(WritebackHint.class.getModule())) {
          return null;
        }
        Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
        Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueC = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descC = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segC = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optC = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
        Object linker = linkerC.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerC.getMethod("defaultLookup").invoke(linker);
        Object i32 = valueC.getField("JAVA_INT").get(null);
        Object i64 = valueC.getField("JAVA_LONG").get(null);
        Object ptr = valueC.getField("ADDRESS").get(null);
        Method find = lookupC.getMethod("find", String.class);
        Method of = descC.getMethod("of", layoutC, layoutC.arrayType());
        Method downcall = linkerC.getMethod("downcallHandle", segC, descC, optC.arrayType());
        Object noOptions = Array.newInstance(optC, 0);
        // open(2) is variadic: declare where the (absent) variadic arguments would start.
        Object fixedTwo = Array.newInstance(optC, 1);
        Array.set(fixedTwo, 0, optC.getMethod("firstVariadicArg", int.class).invoke(null, 2));
        MethodHandle[] handles = new MethodHandle[3];
        String[] names = {"open", "close", "sync_file_range"};
        Object[][] args = {{ptr, i32}, {i32}, {i32, i64, i64, i32}};
        for (int i = 0; i < 3; i++) {
          Optional<?> sym = (Optional<?>) find.invoke(lookup, names[i]);
          if (sym.isEmpty()) {
            return null;
          }
          Object argLayouts = Array.newInstance(layoutC, args[i].length);
          for (int k = 0; k < args[i].length; k++) {
            Array.set(argLayouts, k, args[i][k]);
          }
          Object desc = of.invoke(null, i32, argLayouts);
          handles[i] = (MethodHandle) downcall.invoke(linker, sym.get(), desc, i == 0 ? fixedTwo : noOptions);
        }
        // Each path string lives in a confined arena closed right after open(2): an arena kept for
        // the JVM's lifetime would keep every string ever allocated from it.
        Method ofConfined = arenaC.getMethod("ofConfined");
        Method allocateFrom = Class.forName("java.lang.foreign.SegmentAllocator").getMethod("allocateFrom", String.class);
        return new Natives(handles[0], handles[1], handles[2], ofConfined, allocateFrom);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        // Not available here (for example native access denied): callers fall back to fdatasync.
        return null;
      }
    }

    int open(String path) throws Throwable {
      try (AutoCloseable arena = (AutoCloseable) ofConfined.invoke(null)) {
        Object cPath = allocateFrom.invoke(arena, path);
        return (int) openFn.invoke(cPath, O_RDONLY_CLOEXEC);
      }
    }

    int close(int fd) throws Throwable {
      return (int) closeFn.invoke(fd);
    }

    int syncFileRange(int fd, long offset, long length, int flags) throws Throwable {
      return (int) syncFileRangeFn.invoke(fd, offset, length, flags);
    }
  }
}
