package dev.runnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LtxCommandTest {
  @TempDir Path tmp;

  private static Path fixture(String dir, String name) {
    return Fixtures.path("ltx", dir, name);
  }

  @Test
  void verify_allGoldenFiles_exitZero() throws Exception {
    String[] args;
    try (var s = Files.list(Fixtures.path("ltx", "nochecksum"))) {
      args = s.filter(p -> p.toString().endsWith(".ltx")).map(Path::toString).toArray(String[]::new);
    }
    String[] full = new String[args.length + 2];
    full[0] = "ltx";
    full[1] = "verify";
    System.arraycopy(args, 0, full, 2, args.length);
    CliRun r = CliRun.of(full);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("4 file(s) checked, 0 failed"), r.out());
  }

  @Test
  void verify_legacyAndChecksumFiles_ok() {
    CliRun r = CliRun.of("ltx", "verify", fixture("legacy", "0000000000000001-0000000000000001.ltx").toString(),
        fixture("checksum", "0000000000000002-0000000000000002.ltx").toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
  }

  @Test
  void verify_flippedByte_exitOneNamingFileAndField() throws Exception {
    byte[] b = Files.readAllBytes(fixture("nochecksum", "0000000000000002-0000000000000002.ltx"));
    b[b.length - 3] ^= 0x40; // inside the stored file checksum
    Path bad = tmp.resolve("0000000000000002-0000000000000002.ltx");
    Files.write(bad, b);
    CliRun r = CliRun.of("ltx", "verify", bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().contains("FAIL") && r.out().contains("0000000000000002-0000000000000002.ltx"), r.out());
    assertTrue(r.out().contains("checksum"), r.out());
  }

  @Test
  void verify_truncatedFile_exitOne() throws Exception {
    byte[] b = Files.readAllBytes(fixture("nochecksum", "0000000000000001-0000000000000001.ltx"));
    Path bad = tmp.resolve("trunc.ltx");
    Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
    CliRun r = CliRun.of("ltx", "verify", bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().contains("trunc.ltx"), r.out());
  }

  @Test
  void verify_nameDoesNotMatchHeader_exitOne() throws Exception {
    Path renamed = tmp.resolve("0000000000000007-0000000000000007.ltx");
    Files.copy(fixture("nochecksum", "0000000000000002-0000000000000002.ltx"), renamed);
    CliRun r = CliRun.of("ltx", "verify", renamed.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().contains("file name"), r.out());
  }

  @Test
  void verify_missingFile_exitOne() {
    CliRun r = CliRun.of("ltx", "verify", tmp.resolve("nope.ltx").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().contains("nope.ltx"), r.out());
  }

  @Test
  void verify_json_reportsEachFile() {
    CliRun r = CliRun.of("ltx", "verify", "-json", fixture("nochecksum", "0000000000000003-0000000000000003.ltx").toString());
    assertEquals(0, r.exitCode());
    assertTrue(r.out().contains("\"ok\": true") && r.out().contains("\"max_txid\": \"0000000000000003\""), r.out());
  }

  @Test
  void dump_text_showsHeaderPagesAndTrailer() {
    CliRun r = CliRun.of("ltx", "dump", fixture("nochecksum", "0000000000000001-0000000000000001.ltx").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("page size:          4096"), r.out());
    assertTrue(r.out().contains("Pages (19)"), r.out());
    assertTrue(r.out().contains("f61a0f3bd8d22693"), r.out()); // golden file checksum
  }

  @Test
  void dump_json_matchesGoldenManifest() {
    CliRun r = CliRun.of("ltx", "dump", "--json", fixture("nochecksum", "0000000000000003-0000000000000003.ltx").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("\"commit\": 24"), r.out());
    assertTrue(r.out().contains("\"timestamp\": 1735689602000"), r.out());
    assertTrue(r.out().contains("\"encoding\": \"current\""), r.out());
  }

  @Test
  void dump_corruptFile_errorLineExitOne() throws Exception {
    Path bad = tmp.resolve("x.ltx");
    Files.writeString(bad, "not an ltx file at all........................................................................");
    CliRun r = CliRun.of("ltx", "dump", bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("Error: ") && r.err().contains("x.ltx"), r.err());
  }

  @Test
  void unknownOption_errorWithHint() {
    CliRun r = CliRun.of("ltx", "verify", "--bogus");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("Try: runnel ltx verify --help"), r.err());
  }
}
