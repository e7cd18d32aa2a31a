package dev.runnel.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.s3.S3Stats.Op;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class CheckedBodyStreamTest {

  @Test
  void read_bodyShorterThanContentLength_throwsEof() {
    S3Stats stats = new S3Stats();
    InputStream in = new CheckedBodyStream(new ByteArrayInputStream(new byte[700]), 1000, "db/0000/x.ltx", stats);
    EOFException e = assertThrows(EOFException.class, in::readAllBytes);
    assertTrue(e.getMessage().contains("db/0000/x.ltx") && e.getMessage().contains("700 of 1000"), e.getMessage());
    assertEquals(1, stats.errorCount(Op.GET));
  }

  @Test
  void read_exactLength_returnsAllAndCountsBytes() throws IOException {
    S3Stats stats = new S3Stats();
    byte[] data = new byte[1000];
    data[999] = 7;
    try (InputStream in = new CheckedBodyStream(new ByteArrayInputStream(data), 1000, "k", stats)) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertEquals(1000, stats.bytes(Op.GET));
  }

  @Test
  void read_bodyLongerThanContentLength_throws() {
    InputStream in = new CheckedBodyStream(new ByteArrayInputStream(new byte[20]), 10, "k", new S3Stats());
    assertThrows(IOException.class, in::readAllBytes);
  }
}
