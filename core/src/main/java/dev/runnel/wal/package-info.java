/**
 * Reading committed pages out of a live SQLite {@code -wal} file (spec capture.md §3, §4, §6).
 *
 * <ul>
 *   <li>{@link dev.runnel.wal.WalHeader} validates the 32-byte header; an invalid header means
 *       an empty log, as in SQLite.
 *   <li>{@link dev.runnel.wal.WalReader} returns valid frames in order, from the start or resumed
 *       at a recorded offset; the first invalid frame ends the log.
 *   <li>{@link dev.runnel.wal.WalPageMap} turns frames into the committed page → frame offset
 *       map that an LTX file is written from.
 *   <li>{@link dev.runnel.wal.WalSalts} lists the salt generations present in the file, to
 *       detect a FULL/RESTART checkpoint by another process.
 * </ul>
 *
 * <p>All offsets and sizes are in bytes, page numbers are 1-based, and commit sizes are in
 * pages. Every class takes a {@link java.nio.channels.FileChannel} owned by the caller, uses only
 * positional reads, and never closes it. Opening and closing the {@code -wal} file is safe while
 * SQLite has the database open; the main database file and {@code -shm} must not be opened
 * separately (spec §9), and nothing in this package touches them.
 */
package dev.runnel.wal;
