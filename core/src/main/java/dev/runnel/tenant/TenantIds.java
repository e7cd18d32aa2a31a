package dev.runnel.tenant;

/**
 * Validation of tenant ids. A tenant id becomes a directory name in the local cache and a path
 * component of the replica URL or key, so only a conservative ASCII set is accepted:
 * {@code [A-Za-z0-9_-]{1,128}}. Everything else ({@code ..}, {@code /}, {@code \}, NUL, spaces,
 * empty, longer than 128, non-ASCII look-alikes such as a Cyrillic {@code а} or a full-width digit)
 * is rejected before any disk or network access.
 *
 * <p>Ids are case-sensitive, as S3 keys are. On a case-insensitive file system (default macOS)
 * {@code Acme} and {@code acme} would share a cache directory: use one case consistently there.
 *
 * <p>Stateless and thread-safe.
 */
public final class TenantIds {
  /** Longest accepted id, in characters. */
  public static final int MAX_LENGTH = 128;

  private TenantIds() {}

  /** Whether {@code id} is a valid tenant id. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns {@code id} if it is valid.
   *
   * @throws IllegalArgumentException describing the id (escaped, so control characters and
   *     look-alikes are visible) if it is not
   */
  public static String check(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException("invalid tenant id " + describe(id)
          + ": expected 1.." + MAX_LENGTH + " characters of [A-Za-z0-9_-]");
    }
    return id;
  }

  private static String describe(String id) {
    if (id == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(id.length(), 64);
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    if (id.length() > n) {
      sb.append("…");
    }
    return sb.append("\" (length ").append(id.length()).append(')').toString();
  }
}
