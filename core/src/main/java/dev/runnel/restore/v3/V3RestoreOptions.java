package dev.runnel.restore.v3;

import dev.runnel.restore.IntegrityCheck;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Options of one restore.
 *
 * @param output the database file to create; its parent directories are created if missing
 * @param integrityCheck check to run on the result; on failure the output is deleted
 * @param force replace an existing output (and delete its {@code -wal}/{@code -shm}); without it
 *     an existing output is refused and left untouched
 */
public record V3RestoreOptions(Path output, IntegrityCheck integrityCheck, boolean force) {
  public V3RestoreOptions {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(integrityCheck, "integrityCheck");
  }

  /** No integrity check, no overwrite. */
  public static V3RestoreOptions to(Path output) {
    return new V3RestoreOptions(output, IntegrityCheck.NONE, false);
  }

  public V3RestoreOptions withIntegrityCheck(IntegrityCheck check) {
    return new V3RestoreOptions(output, check, force);
  }

  public V3RestoreOptions withForce(boolean f) {
    return new V3RestoreOptions(output, integrityCheck, f);
  }
}
