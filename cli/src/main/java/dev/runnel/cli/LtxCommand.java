package dev.runnel.cli;

import dev.runnel.ltx.LtxCorruptException;
import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.LtxFileSummary;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.LtxPageInfo;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code runnel ltx DB_PATH|REPLICA_URL}: list a replica's LTX files (Litestream's command); {@code
 * runnel ltx verify|dump FILE}: tools for LTX files themselves.
 */
@Command(name = "ltx", description = {
    "List a replica's LTX files; verify or dump LTX files.",
    "",
    "Lists level, min_txid, max_txid, size and created of each file. The subcommands verify and",
    "dump inspect LTX files themselves."},
    subcommands = {LtxCommand.Verify.class, LtxCommand.Dump.class})
public final class LtxCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin ConfigOptions config;
  @Option(names = {"-level", "--level"}, paramLabel = "N|all", defaultValue = "0",
      description = "Level 0..9, or all (default ${DEFAULT-VALUE}).")
  String level;
  @Option(names = {"-json", "--json"}, description = "JSON output.") boolean json;
  @Parameters(arity = "0..1", paramLabel = "DB_PATH|REPLICA_URL") String target;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (target == null) {
      spec.commandLine().usage(spec.commandLine().getErr());
      return 1;
    }
    int from;
    int to;
    if (level.equalsIgnoreCase("all")) {
      from = 0;
      to = dev.runnel.replica.LtxFileInfo.MAX_LEVEL;
    } else {
      try {
        from = Integer.parseInt(level);
      } catch (NumberFormatException e) {
        from = -1;
      }
      if (from < 0 || from > dev.runnel.replica.LtxFileInfo.MAX_LEVEL) {
        throw new CliException("invalid -level \"" + level + "\": expected 0..9 or all", "-level all");
      }
      to = from;
    }
    DbSpec db;
    if (dev.runnel.config.ReplicaUrl.isUrl(target)) {
      if (config.explicit()) {
        throw new CliException("cannot specify a replica URL and the -config flag", "runnel ltx REPLICA_URL");
      }
      db = DbSpec.fromUrl(Path.of("unused.db"), target, dev.runnel.config.RunnelConfig.defaults());
    } else {
      db = DbSpec.resolve(config.load(spec.commandLine().getErr()), Path.of(target));
    }
    PrintWriter out = spec.commandLine().getOut();
    List<Object> rows = new ArrayList<>();
    try (dev.runnel.replica.ReplicaClient client = db.openReplica()) {
      if (!json) {
        out.printf("%-5s  %-16s  %-16s  %10s  %s%n", "level", "min_txid", "max_txid", "size", "created");
      }
      for (int l = from; l <= to; l++) {
        for (dev.runnel.replica.LtxFileInfo f : client.list(l)) {
          if (json) {
            Map<String, Object> o = Json.object();
            o.put("level", f.level());
            o.put("min_txid", f.minTxId().toString());
            o.put("max_txid", f.maxTxId().toString());
            o.put("size", f.size());
            o.put("created", f.createdAt().toString());
            rows.add(o);
          } else {
            out.printf("%-5d  %-16s  %-16s  %10d  %s%n", f.level(), f.minTxId(), f.maxTxId(), f.size(),
                f.createdAt());
          }
        }
      }
    }
    if (json) {
      out.println(Json.write(rows));
    }
    out.flush();
    return 0;
  }

  /** {@code runnel ltx verify FILE...}: full strict decode of each file. Exit 1 if any fails. */
  @Command(name = "verify", description = {
      "Fully decode and check LTX files: header rules, page order, every block's size,",
      "the page index against the frames, the file checksum, and that the file name matches",
      "the header. Exits 1 if any file fails."})
  public static final class Verify implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;
    @Option(names = {"-json", "--json"}, description = "One JSON object per file.") boolean json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      int failed = 0;
      List<Object> results = new ArrayList<>();
      for (Path f : files) {
        Map<String, Object> r = Json.object();
        r.put("file", f.toString());
        try {
          LtxFileSummary s = verify(f);
          r.put("ok", true);
          r.put("min_txid", s.header().minTxId().toString());
          r.put("max_txid", s.header().maxTxId().toString());
          r.put("pages", s.pageCount());
          r.put("commit", s.header().commit());
          r.put("page_size", s.header().pageSize());
          if (!json) {
            out.printf("ok    %s  txid %s-%s  %d pages  commit %d  page size %d%n", f, s.header().minTxId(),
                s.header().maxTxId(), s.pageCount(), s.header().commit(), s.header().pageSize());
          }
        } catch (IOException | RuntimeException e) {
          failed++;
          r.put("ok", false);
          r.put("error", e.getMessage());
          if (!json) {
            out.printf("FAIL  %s: %s%n", f, e.getMessage());
          }
        }
        results.add(r);
      }
      if (json) {
        out.println(Json.write(results));
      } else if (files.size() > 1) {
        out.printf("%d file(s) checked, %d failed%n", files.size(), failed);
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }
  }

  /** {@code runnel ltx dump FILE}: everything in one file. */
  @Command(name = "dump", description = "Print the header, page frames, page index and trailer of one LTX file.")
  public static final class Dump implements Callable<Integer> {
    @Parameters(arity = "1", paramLabel = "FILE") Path file;
    @Option(names = {"-json", "--json"}, description = "JSON output.") boolean json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      LtxFileSummary s = verify(file);
      LtxHeader h = s.header();
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("file", file.toString());
        o.put("size", s.fileSize());
        Map<String, Object> hdr = Json.object();
        hdr.put("flags", h.flags());
        hdr.put("page_size", h.pageSize());
        hdr.put("commit", h.commit());
        hdr.put("min_txid", h.minTxId().toString());
        hdr.put("max_txid", h.maxTxId().toString());
        hdr.put("timestamp", h.timestamp());
        hdr.put("timestamp_text", Instant.ofEpochMilli(h.timestamp()).toString());
        hdr.put("pre_apply_checksum", hex(h.preApplyChecksum()));
        hdr.put("wal_offset", h.walOffset());
        hdr.put("wal_size", h.walSize());
        hdr.put("wal_salt1", String.format("%08x", h.walSalt1()));
        hdr.put("wal_salt2", String.format("%08x", h.walSalt2()));
        hdr.put("node_id", h.nodeId());
        o.put("header", hdr);
        List<Object> pages = new ArrayList<>();
        for (LtxPageInfo p : s.pages()) {
          Map<String, Object> po = Json.object();
          po.put("pgno", p.pgno());
          po.put("offset", p.frameOffset());
          po.put("size", p.frameSize());
          po.put("compressed_size", p.compressedSize());
          po.put("encoding", p.encoding().name().toLowerCase(java.util.Locale.ROOT));
          po.put("checksum", hex(p.pageChecksum()));
          pages.add(po);
        }
        o.put("pages", pages);
        o.put("index_offset", s.indexOffset());
        o.put("index_length", s.indexLength());
        Map<String, Object> tr = Json.object();
        tr.put("post_apply_checksum", hex(s.trailer().postApplyChecksum()));
        tr.put("file_checksum", hex(s.trailer().fileChecksum()));
        o.put("trailer", tr);
        out.println(Json.write(o));
      } else {
        out.printf("# %s (%d bytes)%n", file, s.fileSize());
        out.printf("Header%n  flags:              0x%08x%n  page size:          %d%n  commit:             %d%n",
            h.flags(), h.pageSize(), h.commit());
        out.printf("  min txid:           %s%n  max txid:           %s%n  timestamp:          %d (%s)%n",
            h.minTxId(), h.maxTxId(), h.timestamp(), Instant.ofEpochMilli(h.timestamp()));
        out.printf("  pre-apply checksum: %s%n  wal offset:         %d%n  wal size:           %d%n",
            hex(h.preApplyChecksum()), h.walOffset(), h.walSize());
        out.printf("  wal salts:          %08x %08x%n  node id:            %d%n", h.walSalt1(), h.walSalt2(),
            h.nodeId());
        out.printf("Pages (%d)%n  %8s %10s %8s %10s %-8s %s%n", s.pageCount(), "pgno", "offset", "size",
            "lz4 size", "encoding", "checksum");
        for (LtxPageInfo p : s.pages()) {
          out.printf("  %8d %10d %8d %10d %-8s %s%n", p.pgno(), p.frameOffset(), p.frameSize(), p.compressedSize(),
              p.encoding().name().toLowerCase(java.util.Locale.ROOT), hex(p.pageChecksum()));
        }
        out.printf("Page index at %d (%d bytes)%n", s.indexOffset(), s.indexLength());
        out.printf("Trailer%n  post-apply checksum: %s%n  file checksum:       %s (verified)%n",
            hex(s.trailer().postApplyChecksum()), hex(s.trailer().fileChecksum()));
      }
      out.flush();
      return 0;
    }
  }

  static String hex(long v) {
    return String.format("%016x", v);
  }

  /** Strict decode, plus: a file named like an LTX file must carry that TxId range in its header. */
  static LtxFileSummary verify(Path f) throws IOException {
    LtxFileSummary s;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 64 * 1024)) {
      s = LtxDecoder.verify(in, f.getFileName().toString());
    }
    Optional<LtxFileName> name = LtxFileName.parse(f.getFileName().toString());
    if (name.isPresent() && (!name.get().min().equals(s.header().minTxId())
        || !name.get().max().equals(s.header().maxTxId()))) {
      throw new LtxCorruptException(f.getFileName().toString(), "file name",
          name.get().min() + "-" + name.get().max(), s.header().minTxId() + "-" + s.header().maxTxId());
    }
    return s;
  }
}
