package dev.runnel.wal;

import dev.runnel.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Helpers shared by the WAL tests. */
final class WalFixtures {
  private WalFixtures() {}

  static Path walCase(String name) {
    return TestData.path("wal", name, "wal");
  }

  static Path ltxDb(String name) {
    return TestData.path("ltx", "db", name);
  }

  static FileChannel open(Path p) throws IOException {
    return FileChannel.open(p, StandardOpenOption.READ);
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code data} to a fresh temp file and returns it. */
  static Path temp(Path dir, String name, byte[] data) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, data);
    return p;
  }

  /** All frames a reader returns, copying pages. */
  static List<WalFrame> readAll(WalReader r, List<byte[]> pagesOut) throws IOException {
    List<WalFrame> frames = new ArrayList<>();
    byte[] page = new byte[r.pageSize()];
    WalFrame f;
    while ((f = r.next(page)) != null) {
      frames.add(f);
      if (pagesOut != null) {
        pagesOut.add(page.clone());
      }
    }
    return frames;
  }

  /** Reads the page data of the frame starting at {@code frameOffset}. */
  static byte[] framePage(FileChannel wal, long frameOffset, int pageSize) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(pageSize);
    WalReader.readFully(wal, buf, frameOffset + WalFrame.HEADER_SIZE);
    return buf.array();
  }

  /**
   * {@code base} with the map's pages overlaid, resized to {@code commit × pageSize} (unchanged
   * when nothing committed): what SQLite reads through the WAL.
   */
  static byte[] overlay(byte[] base, FileChannel wal, WalPageMap map, int pageSize)
      throws IOException {
    if (map.commit() == 0) {
      return base.clone();
    }
    byte[] out = new byte[Math.multiplyExact(map.commit(), pageSize)];
    System.arraycopy(base, 0, out, 0, Math.min(base.length, out.length));
    for (Map.Entry<Integer, Long> e : map.pages().entrySet()) {
      byte[] page = framePage(wal, e.getValue(), pageSize);
      System.arraycopy(page, 0, out, (e.getKey() - 1) * pageSize, pageSize);
    }
    return out;
  }
}
