package dev.runnel.restore.v3;

/** {@code PRAGMA quick_check}/{@code integrity_check} did not return {@code ok}; output deleted. */
public final class V3IntegrityCheckException extends V3RestoreException {
  public V3IntegrityCheckException(String message) {
    super(message);
  }
}
