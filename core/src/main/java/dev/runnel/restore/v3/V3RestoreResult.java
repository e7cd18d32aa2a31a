package dev.runnel.restore.v3;

import java.nio.file.Path;

/**
 * Outcome of a successful restore.
 *
 * @param output the restored database file
 * @param plan what was restored
 * @param pageSize page size in bytes
 * @param pageCount database size in pages (file size / page size)
 * @param walFramesApplied WAL frames SQLite checkpointed, summed over all WAL indexes
 */
public record V3RestoreResult(
    Path output, V3RestorePlan plan, int pageSize, long pageCount, long walFramesApplied) {}
