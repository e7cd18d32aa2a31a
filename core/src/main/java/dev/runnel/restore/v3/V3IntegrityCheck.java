package dev.runnel.restore.v3;

/** Optional check of the restored database (spec §7 step 7). */
public enum V3IntegrityCheck {
  /** No check. */
  NONE,
  /** {@code PRAGMA quick_check}: O(n), skips index/content cross-checks. */
  QUICK,
  /** {@code PRAGMA integrity_check}: full check. */
  FULL
}
