package dev.runnel.restore.v3;

import java.io.IOException;

/** Base of every error a 0.3 restore reports on purpose (as opposed to plain I/O failures). */
public abstract sealed class V3RestoreException extends IOException
    permits V3NoSnapshotsException,
        V3MissingWalIndexException,
        V3MissingWalSegmentException,
        V3AmbiguousTimestampException,
        V3CorruptReplicaException,
        V3IntegrityCheckException {

  protected V3RestoreException(String message) {
    super(message);
  }

  protected V3RestoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
