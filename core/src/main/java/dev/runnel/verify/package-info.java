/**
 * Whole-replica verification: {@link dev.runnel.verify.ReplicaVerifier#verify} downloads and
 * strictly decodes every file, checks names, levels and TxId contiguity, and test-restores the
 * latest state (optionally every snapshot), returning every problem as a structured
 * {@link dev.runnel.verify.VerifyResult} for a CLI to print.
 */
package dev.runnel.verify;
