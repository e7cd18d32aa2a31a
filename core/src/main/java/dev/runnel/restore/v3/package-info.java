/**
 * Restoring Litestream 0.3 replicas (the {@code generations/} layout), spec
 * {@code replica-layout.md} §10.
 *
 * <p>Flow: a {@link dev.runnel.restore.v3.V3Store} lists raw objects, {@link
 * dev.runnel.restore.v3.V3Replica} parses them into a {@link dev.runnel.restore.v3.V3Listing},
 * {@link dev.runnel.restore.v3.V3RestorePlanner} turns a listing and a {@link
 * dev.runnel.restore.v3.V3RestoreTarget} into a {@link dev.runnel.restore.v3.V3RestorePlan}, and
 * {@link dev.runnel.restore.v3.V3Restorer} materialises the plan as a database file.
 *
 * <p>0.3 objects carry no timestamps of their own: "latest" and point-in-time decisions use the
 * object modification time (file mtime, S3 {@code LastModified}).
 */
package dev.runnel.restore.v3;
