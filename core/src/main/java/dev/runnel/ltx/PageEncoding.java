package dev.runnel.ltx;

/** How a page frame stores its compressed page (page-header flags, spec §6). */
public enum PageEncoding {
  /**
   * Page flag {@code 0x0001}: u32 compressed length, then one raw LZ4 block. Written by ltx v0.5.2
   * (Litestream ≥ 0.5.16); unreadable by Litestream 0.5.0–0.5.15.
   */
  CURRENT(1),
  /**
   * Page flag {@code 0x0000}: one complete LZ4 frame per page, no length prefix. Written by ltx
   * v0.5.0/v0.5.1 (Litestream 0.5.0–0.5.15); readable by every 0.5.x release.
   */
  LEGACY(0);

  private final int pageFlags;

  PageEncoding(int pageFlags) {
    this.pageFlags = pageFlags;
  }

  /** The u16 page-header flags value for this encoding. */
  public int pageFlags() {
    return pageFlags;
  }
}
