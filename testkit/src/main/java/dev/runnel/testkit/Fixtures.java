package dev.runnel.testkit;

import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * Test data for any module: the golden files under {@code testdata/} and synthetic LTX bytes.
 * Equivalent to core's test-only {@code dev.runnel.TestData}, which other modules cannot see.
 */
public final class Fixtures {
  /** Size of an LTX header in bytes. */
  public static final int LTX_HEADER_SIZE = 100;

  private Fixtures() {}

  /**
   * The {@code testdata} directory: system property {@code runnel.testdata} (Maven sets it), else
   * the first {@code testdata/ltx} found walking up from the working directory.
   *
   * @throws IllegalStateException if neither exists
   */
  public static Path testdata() {
    String p = System.getProperty("runnel.testdata");
    if (p != null && Files.isDirectory(Paths.get(p, "ltx"))) {
      return Paths.get(p);
    }
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("testdata/ltx"))) {
        return d.resolve("testdata");
      }
    }
    throw new IllegalStateException("testdata directory not found; set -Drunnel.testdata=<repo>/testdata");
  }

  /** A path below {@code testdata/}. */
  public static Path path(String first, String... more) {
    return testdata().resolve(Paths.get(first, more));
  }

  /** The bytes of a golden file below {@code testdata/}, e.g. {@code ltx/nochecksum/…ltx}. */
  public static byte[] bytes(String first, String... more) {
    try {
      return Files.readAllBytes(path(first, more));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A golden file from {@code testdata/ltx/nochecksum/}, e.g. {@code "0000000000000001-0000000000000003"}. */
  public static byte[] goldenLtx(String range) {
    return bytes("ltx", "nochecksum", range + ".ltx");
  }

  /**
   * A 100-byte LTX header (ltx-format.md §3): magic {@code LTX1}, flags 2, page size 4096, commit
   * 1, the given range and timestamp; all other fields zero.
   */
  public static byte[] ltxHeader(TxId min, TxId max, long timestampMillis) {
    ByteBuffer b = ByteBuffer.allocate(LTX_HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    b.put(new byte[] {'L', 'T', 'X', '1'});
    b.putInt(2); // flags: no database checksums, as Litestream >= 0.5.16 writes
    b.putInt(4096); // page size
    b.putInt(1); // commit, in pages
    b.putLong(min.value());
    b.putLong(max.value());
    b.putLong(timestampMillis);
    return b.array();
  }

  /**
   * A synthetic LTX file: a valid header followed by {@code bodySize} pseudo-random bytes derived
   * from the range, so different files have different content. Only the header is meaningful;
   * backends do not decode the body.
   */
  public static byte[] syntheticLtx(TxId min, TxId max, long timestampMillis, int bodySize) {
    byte[] out = new byte[LTX_HEADER_SIZE + bodySize];
    System.arraycopy(ltxHeader(min, max, timestampMillis), 0, out, 0, LTX_HEADER_SIZE);
    byte[] body = new byte[bodySize];
    new Random(min.value() * 31 + max.value() + timestampMillis).nextBytes(body);
    System.arraycopy(body, 0, out, LTX_HEADER_SIZE, bodySize);
    return out;
  }

  /** {@link #syntheticLtx(TxId, TxId, long, int)} for plain numbers. */
  public static byte[] syntheticLtx(long min, long max, long timestampMillis, int bodySize) {
    return syntheticLtx(TxId.of(min), TxId.of(max), timestampMillis, bodySize);
  }
}
