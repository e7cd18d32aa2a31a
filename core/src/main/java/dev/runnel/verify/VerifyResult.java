package dev.runnel.verify;

import dev.runnel.ltx.TxId;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link ReplicaVerifier#verify}: every problem found, and counts.
 *
 * @param replica  the replica's description
 * @param problems all problems, errors and warnings, in the order found (per level ascending,
 *                 then restores)
 * @param summary  counts
 */
public record VerifyResult(String replica, List<VerifyProblem> problems, Summary summary) {
  public VerifyResult {
    problems = List.copyOf(problems);
  }

  /**
   * @param filesPerLevel    files listed per level 0..9
   * @param bytes            total bytes of all files
   * @param filesVerified    files that decoded cleanly
   * @param filesBad         files that could not be read or failed decoding
   * @param restoredTxId     the TxId the latest-state test restore reached, if it succeeded
   * @param snapshotsRestored snapshots restored and checked on their own
   * @param errors           problems of severity ERROR
   * @param warnings         problems of severity WARNING
   */
  public record Summary(List<Integer> filesPerLevel, long bytes, int filesVerified, int filesBad,
      Optional<TxId> restoredTxId, int snapshotsRestored, int errors, int warnings) {
    public Summary {
      filesPerLevel = List.copyOf(filesPerLevel);
    }

    public int files() {
      return filesPerLevel.stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** True when there is no ERROR (warnings allowed). A CLI exits non-zero otherwise. */
  public boolean ok() {
    return summary.errors() == 0;
  }

  /** The problems of one kind. */
  public List<VerifyProblem> problems(VerifyProblem.Kind kind) {
    return problems.stream().filter(p -> p.kind() == kind).toList();
  }
}
