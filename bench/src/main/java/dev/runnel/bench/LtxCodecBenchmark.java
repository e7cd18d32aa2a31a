package dev.runnel.bench;

import dev.runnel.ltx.Crc64Iso;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxEncoder;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.PageEncoding;
import dev.runnel.ltx.TxId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * LTX encode/decode throughput for 4096-byte pages next to raw LZ4 block compress/decompress of
 * the same pages with the same LZ4 instance ({@code LZ4Factory.fastestInstance()}). One operation
 * is one page; MB/s = ops/s × 4096 / 10^6. See docs/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LtxCodecBenchmark {
  static final int PAGE = 4096;
  static final int PAGES = 1024;

  /** sqlite: pages of the fixture database tx3.db, cycled; random: incompressible. */
  @Param({"sqlite", "random"})
  public String content;

  @Param({"CURRENT", "LEGACY"})
  public String encoding;

  /**
   * Pages per file; the JMH methods count {@link #PAGES} operations, so only {@link CodecBench}'s
   * allocation measurement (which compares file sizes) changes it.
   */
  int pageCount = PAGES;

  private byte[] pages;
  private byte[][] compressed;
  private byte[] file;
  private byte[] out;
  private byte[] page;
  private LtxHeader header;
  private LtxEncoder.Options options;
  private LZ4Compressor compressor;
  private LZ4SafeDecompressor decompressor;
  private final OutputStream sink = OutputStream.nullOutputStream();

  @Setup
  public void setup() throws IOException {
    pages = new byte[pageCount * PAGE];
    if (content.equals("sqlite")) {
      byte[] db = Files.readAllBytes(find("testdata/ltx/db/tx3.db"));
      for (int i = 0; i < pageCount; i++) {
        System.arraycopy(db, (i % (db.length / PAGE)) * PAGE, pages, i * PAGE, PAGE);
      }
    } else {
      new Random(1).nextBytes(pages);
    }
    LZ4Factory f = LZ4Factory.fastestInstance();
    compressor = f.fastCompressor();
    decompressor = f.safeDecompressor();
    compressed = new byte[pageCount][];
    out = new byte[compressor.maxCompressedLength(PAGE)];
    page = new byte[PAGE];
    for (int i = 0; i < pageCount; i++) {
      int n = compressor.compress(pages, i * PAGE, PAGE, out, 0, out.length);
      compressed[i] = java.util.Arrays.copyOf(out, n);
    }
    header = LtxHeader.of(PAGE, pageCount, TxId.ONE, TxId.ONE, 0);
    options = LtxEncoder.Options.DEFAULT.withEncoding(PageEncoding.valueOf(encoding));
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    encodeTo(bos);
    file = bos.toByteArray();
  }

  private static Path find(String rel) {
    Path d = Path.of("").toAbsolutePath();
    while (d != null && !Files.exists(d.resolve(rel))) {
      d = d.getParent();
    }
    if (d == null) {
      throw new IllegalStateException(rel + " not found above the working directory");
    }
    return d.resolve(rel);
  }

  private long encodeTo(OutputStream os) throws IOException {
    LtxEncoder e = new LtxEncoder(os, header, options);
    for (int i = 0; i < pageCount; i++) {
      e.encodePage(i + 1, pages, i * PAGE);
    }
    return e.finish().fileChecksum();
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  public long ltxEncode() throws IOException {
    return encodeTo(sink);
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  public long ltxDecode() throws IOException {
    LtxDecoder d = new LtxDecoder(new ByteArrayInputStream(file), "bench");
    long s = 0;
    int pgno;
    while ((pgno = d.nextPage(page)) != 0) {
      s += pgno;
    }
    return s + d.trailer().fileChecksum();
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  public long lz4Compress() {
    long s = 0;
    for (int i = 0; i < PAGES; i++) {
      s += compressor.compress(pages, i * PAGE, PAGE, out, 0, out.length);
    }
    return s;
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  public long lz4Decompress() {
    long s = 0;
    for (int i = 0; i < PAGES; i++) {
      byte[] c = compressed[i];
      s += decompressor.decompress(c, 0, c.length, page, 0, PAGE);
    }
    return s;
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  public long crc64() {
    long s = 0;
    for (int i = 0; i < PAGES; i++) {
      s ^= Crc64Iso.compute(pages, i * PAGE, PAGE);
    }
    return s;
  }
}
