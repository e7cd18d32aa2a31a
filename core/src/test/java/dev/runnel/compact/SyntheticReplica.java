package dev.runnel.compact;

import dev.runnel.ltx.LtxEncoder;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;

/** Writes tiny valid LTX files (page size 512, one page) straight into a replica. */
final class SyntheticReplica {
  private SyntheticReplica() {}

  static byte[] ltx(long min, long max, Instant createdAt) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder enc = new LtxEncoder(out, LtxHeader.of(512, 1, TxId.of(min), TxId.of(max), createdAt.toEpochMilli()));
    byte[] page = new byte[512];
    page[0] = (byte) max;
    enc.encodePage(1, page);
    enc.finish();
    return out.toByteArray();
  }

  static LtxFileInfo put(ReplicaClient r, int level, long min, long max, Instant createdAt) throws IOException {
    return r.write(level, TxId.of(min), TxId.of(max), new ByteArrayInputStream(ltx(min, max, createdAt)));
  }

  /** A file of {@code pages} incompressible pages (1..pages), so its size is about pages × 512 bytes. */
  static LtxFileInfo put(ReplicaClient r, int level, long min, long max, Instant createdAt, int pages)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LtxEncoder enc = new LtxEncoder(out, LtxHeader.of(512, pages, TxId.of(min), TxId.of(max),
        createdAt.toEpochMilli()));
    java.util.Random rnd = new java.util.Random(max);
    for (int p = 1; p <= pages; p++) {
      byte[] page = new byte[512];
      rnd.nextBytes(page);
      enc.encodePage(p, page);
    }
    enc.finish();
    return r.write(level, TxId.of(min), TxId.of(max), new ByteArrayInputStream(out.toByteArray()));
  }
}
