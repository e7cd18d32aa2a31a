package dev.runnel.config;

/**
 * Where a replica's files go. Closed: a local directory, an S3-compatible bucket (also used for
 * Google Cloud Storage through its S3-interoperability endpoint), or a Litestream backend that
 * Runnel does not implement yet.
 */
public sealed interface ReplicaDestination permits FileReplica, S3Replica, UnsupportedReplica {

  /** The Litestream replica type name: {@code file}, {@code s3}, {@code gs}, {@code abs}, … */
  String type();

  /**
   * Returns this destination if Runnel can replicate to it.
   *
   * @throws ConfigException naming the replica's line when the backend is not supported yet
   */
  default ReplicaDestination requireSupported() throws ConfigException {
    return this;
  }

  /** Appends a directory-mode database's relative path ({@code team-a/db2.db}) to the location. */
  ReplicaDestination withRelativePath(String relativePath);
}
