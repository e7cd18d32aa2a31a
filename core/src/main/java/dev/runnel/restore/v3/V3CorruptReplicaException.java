package dev.runnel.restore.v3;

/**
 * A replica object is damaged or inconsistent: bad LZ4 frame, truncated object, snapshot that is
 * not a database, invalid WAL frames, or SQLite did not apply the WAL as expected.
 */
public final class V3CorruptReplicaException extends V3RestoreException {
  public V3CorruptReplicaException(String message) {
    super(message);
  }

  public V3CorruptReplicaException(String message, Throwable cause) {
    super(message, cause);
  }
}
