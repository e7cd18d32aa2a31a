/**
 * Level compaction (L1..L8), level-9 snapshots and retention, compatible with Litestream 0.5
 * (replica-layout.md §2–3, ltx-format.md §13–14).
 *
 * <p>Entry point: {@link dev.runnel.compact.CompactionService} — one per process, shared by all
 * databases; {@code attach(ReplicatedDatabase)} per database, configured by
 * {@link dev.runnel.compact.CompactionConfig} (the {@code levels}, {@code snapshot.*},
 * {@code l0-retention}, {@code l0-retention-check-interval}, {@code retention.enabled} and
 * {@code verify-compaction} keys, and Runnel's {@code runnel.cumulative-levels} and
 * {@code runnel.cumulative-rewrite-ratio}). {@link dev.runnel.compact.ReplicaCompactor} runs the individual
 * operations on one replica.
 *
 * <p>Deliberate differences from Litestream:
 * <ul>
 *   <li>Decisions come from an in-memory index of the replica, updated by every write and delete
 *       of this process; an idle database costs no request (Litestream lists each level at every
 *       boundary). The index is reloaded after any failed store operation. Another process writing
 *       the same replica is not supported (nor is it by Litestream).</li>
 *   <li>A source level with a TxId gap (history lost before Runnel ran) is compacted run by run,
 *       each contiguous run into its own file, instead of failing at every boundary.</li>
 *   <li>Local L0 copies are deleted as soon as they are in L1 (they are only read by the L1
 *       compaction); the remote L0 files follow L0 retention exactly.</li>
 *   <li>{@code verify-compaction} checks contiguity from memory instead of listing.</li>
 *   <li>Cumulative level files ({@link dev.runnel.compact.CompactionConfig#cumulativeLevels()},
 *       on by default): each compaction into level N rewrites the level's current period, so a
 *       latest restore reads the snapshot, one file per level and the L0 files since the last
 *       L1 compaction instead of every file of every period. Files of one level then overlap;
 *       Litestream's planner and contiguity rule accept that, so Litestream restores these
 *       replicas (and by ltx-format.md §12–13 its compactor accepts overlapping inputs). Off =
 *       Litestream's layout. Bounded by {@link dev.runnel.compact.CompactionConfig#cumulativeRewriteRatio()}:
 *       a period's files merge like a binary counter rather than being rewritten whole.</li>
 *   <li>Snapshot retention deletes a level-N file only once level N+1 has compacted past it
 *       (Litestream deletes it by the snapshot floor alone, which can leave a TxId gap inside
 *       level N+1), and keeps the file of each level that reaches furthest rather than the last
 *       by name (the same file in Litestream's layout).</li>
 *   <li>A due snapshot is taken before the levels due at the same moment, and an empty level does
 *       not repeat what the newest snapshot already holds: the first pass uploads the first L0
 *       file and the snapshot only (Litestream: a full copy per level as well).</li>
 * </ul>
 */
package dev.runnel.compact;
