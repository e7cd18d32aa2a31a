package dev.runnel.restore.v3;

/** No snapshot qualifies for the target (empty replica, timestamp too early, unknown generation). */
public final class V3NoSnapshotsException extends V3RestoreException {
  public V3NoSnapshotsException(String detail) {
    super("no snapshots available: " + detail);
  }
}
