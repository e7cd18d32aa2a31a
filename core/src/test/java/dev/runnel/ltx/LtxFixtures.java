package dev.runnel.ltx;

import dev.runnel.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Golden LTX files and their JSON manifests, read with a few regexes (no JSON library in core). */
final class LtxFixtures {
  static final String N1 = "0000000000000001-0000000000000001";
  static final String N2 = "0000000000000002-0000000000000002";
  static final String N3 = "0000000000000003-0000000000000003";
  static final String N13 = "0000000000000001-0000000000000003";

  /** folder/name of every golden .ltx file (without extension). */
  static final List<String> ALL = List.of(
      "nochecksum/" + N1, "nochecksum/" + N2, "nochecksum/" + N3, "nochecksum/" + N13,
      "legacy/" + N1, "legacy/" + N2,
      "checksum/" + N1, "checksum/" + N2, "checksum/" + N3);

  record Page(int pgno, int flags, long frameOffset, int frameSize, long pageChecksum) {}

  record Entry(int pgno, long offset, int size) {}

  record Manifest(String name, long size, String headerHex, int flags, int pageSize, int commit, long minTxId,
      long maxTxId, long timestamp, long preApply, long walOffset, long walSize, int salt1, int salt2,
      long nodeId, List<Page> pages, long indexOffset, long indexLength, List<Entry> entries, long postApply,
      long fileChecksum) {}

  private LtxFixtures() {}

  static Path ltx(String name) {
    return TestData.path("ltx", name + ".ltx");
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(ltx(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] db(int tx) {
    try {
      return Files.readAllBytes(TestData.path("ltx", "db", "tx" + tx + ".db"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LtxDecoder decoder(String name) throws IOException {
    return new LtxDecoder(new ByteArrayInputStream(bytes(name)), name.substring(name.indexOf('/') + 1) + ".ltx");
  }

  static Manifest manifest(String name) throws IOException {
    String j = Files.readString(TestData.path("ltx", name + ".json"));
    String header = section(j, "\"header\"", "\"pages\"");
    String pagesPart = section(j, "\"pages\"", "\"page_block\"");
    String index = section(j, "\"page_index\"", "\"trailer\"");
    String trailer = section(j, "\"trailer\"", "\"checks\"");
    List<Page> pages = new ArrayList<>();
    Matcher m = Pattern.compile("\"pgno\": (\\d+),\\s*\"flags\": (\\d+),.*?\"frame_offset\": (\\d+),\\s*\"frame_size\": (\\d+),"
        + ".*?\"page_checksum\": \"([0-9a-f]{16})\"", Pattern.DOTALL).matcher(pagesPart);
    while (m.find()) {
      pages.add(new Page(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
          Integer.parseInt(m.group(4)), Long.parseUnsignedLong(m.group(5), 16)));
    }
    List<Entry> entries = new ArrayList<>();
    m = Pattern.compile("\"pgno\": (\\d+),\\s*\"offset\": (\\d+),\\s*\"size\": (\\d+)").matcher(index);
    while (m.find()) {
      entries.add(new Entry(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3))));
    }
    return new Manifest(name, num(j, "size"), str(header, "raw_hex"), (int) num(header, "flags"),
        (int) num(header, "page_size"), (int) num(header, "commit"), num(header, "min_txid"), num(header, "max_txid"),
        num(header, "timestamp_ms"), hex(header, "pre_apply_checksum"), num(header, "wal_offset"),
        num(header, "wal_size"), (int) hex(header, "wal_salt1"), (int) hex(header, "wal_salt2"),
        num(header, "node_id"), pages, num(index, "offset"), num(index, "entries_size_field_value"), entries,
        hex(trailer, "post_apply_checksum"), hex(trailer, "file_checksum"));
  }

  private static String section(String j, String from, String to) {
    int a = j.indexOf(from);
    int b = j.indexOf(to, a);
    return j.substring(a, b);
  }

  private static long num(String j, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": (-?\\d+)").matcher(j);
    if (!m.find()) {
      throw new IllegalStateException("no " + key);
    }
    return Long.parseLong(m.group(1));
  }

  private static String str(String j, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(j);
    if (!m.find()) {
      throw new IllegalStateException("no " + key);
    }
    return m.group(1);
  }

  private static long hex(String j, String key) {
    return Long.parseUnsignedLong(str(j, key), 16);
  }

  /** All pages of a decoder as (pgno, bytes) in order; reads to the end (verifying). */
  static List<Object[]> pages(LtxDecoder d) throws IOException {
    List<Object[]> out = new ArrayList<>();
    byte[] buf = new byte[d.header().pageSize()];
    int pgno;
    while ((pgno = d.nextPage(buf)) != 0) {
      out.add(new Object[] {pgno, buf.clone()});
    }
    return out;
  }

  /** Rebuilds a database into memory through {@link LtxMaterializer}. */
  static byte[] materialize(List<LtxDecoder> inputs) throws IOException {
    MemoryChannel ch = new MemoryChannel();
    LtxMaterializer.materialize(inputs, ch);
    return ch.toByteArray();
  }

  static byte[] encode(LtxHeader h, LtxEncoder.Options o, List<Object[]> pages) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder e = new LtxEncoder(out, h, o);
    for (Object[] p : pages) {
      e.encodePage((Integer) p[0], (byte[]) p[1]);
    }
    e.finish();
    return out.toByteArray();
  }
}
