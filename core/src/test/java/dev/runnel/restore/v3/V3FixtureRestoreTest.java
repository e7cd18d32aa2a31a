package dev.runnel.restore.v3;

import dev.runnel.restore.IntegrityCheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every restore listed in {@code testdata/litestream-0.3/README.md} must be byte-identical to
 * what Litestream v0.3.13 produced.
 */
class V3FixtureRestoreTest {
  private static final String GEN1 = "063bd87f6ed0230c";

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("simple", new V3RestoreTarget.Latest(), "latest.db"),
        Arguments.of("simple", at("2026-11-22T03:27:20Z"), "after-b1.db"),
        Arguments.of("simple", at("2026-11-22T03:27:24Z"), "after-b2.db"),
        Arguments.of("multi-generation", new V3RestoreTarget.Latest(), "latest.db"),
        Arguments.of("multi-generation", new V3RestoreTarget.Generation(GEN1), "gen1-latest.db"),
        Arguments.of("multi-generation", at("2026-11-22T03:28:49Z"), "gen1-after-b1.db"),
        Arguments.of("multi-generation", at("2026-11-22T03:29:05Z"), "gen2-after-b1.db"),
        Arguments.of("multi-generation", new V3RestoreTarget.GenerationIndex(GEN1, 0),
            "gen1-index0.db"),
        Arguments.of("large-page", new V3RestoreTarget.Latest(), "latest.db"),
        Arguments.of("large-page", at("2026-11-22T03:29:49Z"), "after-b2.db"),
        Arguments.of("large-page", at("2026-11-22T03:29:53Z"), "after-b3.db"));
  }

  private static V3RestoreTarget at(String iso) {
    return new V3RestoreTarget.AtTime(Instant.parse(iso));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("rows")
  void restore_fixtureRow_byteIdenticalToLitestream(
      String set, V3RestoreTarget target, String expected, @TempDir Path dir) throws Exception {
    Path setDir = V3Fixtures.copyWithMtimes(set, dir);
    Path out = dir.resolve("out/restored.db");

    new V3Restorer(new LocalV3Store(V3Fixtures.replica(setDir)))
        .restore(target, V3RestoreOptions.to(out).withIntegrityCheck(IntegrityCheck.FULL));

    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored(set, expected)),
        Files.readAllBytes(out), "bytes of " + expected);
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertEquals(java.util.List.of(out), left.toList(), "only the output remains");
    }
    assertFalse(Files.exists(dir.resolve("out/restored.db.tmp")));
  }
}
