package dev.runnel.replica;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Small named objects with compare-and-swap updates, kept next to a replica (the file backend
 * stores them directly under its root, beside {@code ltx/}). Meant for coordination records such
 * as a tenant lease, not for bulk data: keep objects small (a few KiB).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Names match {@link #NAME_PATTERN}: 1..128 characters of {@code [A-Za-z0-9._-]}, starting
 *       with a letter or digit; {@code ltx} and {@code generations} are reserved (replica data).
 *       Other names throw {@link IllegalArgumentException}.</li>
 *   <li>Every successful mutation is atomic and linearizable with respect to the other methods:
 *       among any number of concurrent {@link #createIfAbsent} calls on one absent name exactly one
 *       returns true; a {@link #replaceIfUnchanged} or {@link #deleteIfUnchanged} succeeds only if
 *       the object still has the given etag.</li>
 *   <li>An etag is an opaque token that identifies one stored content. Backends may return equal
 *       etags for equal bytes (S3 does), so callers that must detect A-B-A changes put a nonce or
 *       counter in the data.</li>
 *   <li>A conditional failure (stale etag, already exists, missing) is reported by returning
 *       false, never by an exception; {@link IOException} means the outcome is unknown.</li>
 *   <li>Implementations are thread-safe. Each backend documents the scope of its atomicity (the
 *       file backend: processes on one host sharing the directory).</li>
 * </ul>
 */
public interface ConditionalStore {

  /** Allowed object names. */
  Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Reads an object; empty if it does not exist. */
  Optional<Versioned> read(String name) throws IOException;

  /**
   * Creates an object if no object of that name exists, and reports the etag of what it stored,
   * so a caller that goes on with conditional updates needs no read back (one request on S3).
   *
   * @return the new object's etag, or empty if an object of that name exists
   */
  Optional<String> tryCreate(String name, byte[] data) throws IOException;

  /**
   * Replaces an object if its current etag equals {@code etag}, and reports the new etag.
   *
   * @return the new etag, or empty if the object is missing or has a different etag
   */
  Optional<String> tryReplace(String name, byte[] data, String etag) throws IOException;

  /** Creates an object if no object of that name exists. @return true if this call created it */
  default boolean createIfAbsent(String name, byte[] data) throws IOException {
    return tryCreate(name, data).isPresent();
  }

  /**
   * Replaces an object if its current etag equals {@code etag}.
   *
   * @return false if the object is missing or has a different etag
   */
  default boolean replaceIfUnchanged(String name, byte[] data, String etag) throws IOException {
    return tryReplace(name, data, etag).isPresent();
  }

  /**
   * Deletes an object if its current etag equals {@code etag}.
   *
   * @return false if the object is missing or has a different etag
   */
  boolean deleteIfUnchanged(String name, String etag) throws IOException;

  /**
   * Checks a name against {@link #NAME_PATTERN} and the reserved names.
   *
   * @throws IllegalArgumentException naming the offending name
   */
  static String checkName(String name) {
    if (name == null || !NAME_PATTERN.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid object name " + (name == null ? "null" : "\"" + name + "\"")
              + ": expected 1..128 of [A-Za-z0-9._-], starting with a letter or digit");
    }
    if (name.equalsIgnoreCase("ltx") || name.equalsIgnoreCase("generations")) {
      throw new IllegalArgumentException("object name \"" + name + "\" is reserved for replica data");
    }
    return name;
  }

  /**
   * One stored object version. The array is copied in and out, so instances are immutable.
   *
   * @param data the object's bytes
   * @param etag opaque version token to pass to the conditional methods
   */
  record Versioned(byte[] data, String etag) {
    public Versioned {
      data = data.clone();
      Objects.requireNonNull(etag, "etag");
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Versioned v && etag.equals(v.etag) && Arrays.equals(data, v.data);
    }

    @Override
    public int hashCode() {
      return etag.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      String head = HexFormat.of().formatHex(data, 0, Math.min(data.length, 16));
      return "Versioned[" + data.length + " bytes " + head + (data.length > 16 ? "…" : "") + ", etag=" + etag + "]";
    }
  }
}
