package dev.runnel.restore.v3;

/**
 * The modification times cannot decide the restore safely, e.g. the newest snapshots of two
 * generations have the same time, or another generation has objects newer than the chosen
 * snapshot. Typical cause: replica files copied without preserving mtimes. Restore a named
 * generation ({@link V3RestoreTarget.Generation}) instead, which ignores times.
 */
public final class V3AmbiguousTimestampException extends V3RestoreException {
  public V3AmbiguousTimestampException(String message) {
    super(message);
  }
}
