package dev.runnel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigDurationAndSizeTest {

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource({
    "0, 0",
    "-0, 0",
    "+0, 0",
    "500ms, 500000000",
    "30s, 30000000000",
    "1m30s, 90000000000",
    "24h, 86400000000000",
    "1.5h, 5400000000000",
    ".5s, 500000000",
    "1.s, 1000000000",
    "1h2m3s4ms5us6ns, 3723004005006",
    "1µs, 1000",
    "1μs, 1000",
    "-1.5m, -90000000000",
    "0s, 0",
    "2562047h47m16.854775807s, 9223372036854775807",
  })
  void parseDuration_goSyntax_matchesGo(String text, long nanos) {
    assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "30", "1 second", "1d", "s", ".s", "1.5", "-", "1h 30m", "5 m",
      "3000000h", "1e3s", "ms"})
  void parseDuration_junk_throws(String text) {
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"0, 0s", "500000000, 500ms", "90000000000, 1m30s", "86400000000000, 24h",
      "5400000000000, 1h30m", "1500, 1500ns", "2000, 2us"})
  void formatDuration_values_roundTrip(long nanos, String text) {
    assertEquals(text, GoDuration.format(Duration.ofNanos(nanos)));
    assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
  }

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource(delimiter = '|', value = {
    "5MB|5000000",
    "5MiB|5242880",
    "5mib|5242880",
    "5 MiB|5242880",
    "1GB|1000000000",
    "1GiB|1073741824",
    "1.5GB|1500000000",
    "5242880|5242880",
    "42B|42",
    "1K|1000",
    "1Ki|1024",
    "1,000|1000",
    "0|0",
  })
  void parseSize_humanizeForms_decimalAndBinaryDistinct(String text, long bytes) {
    assertEquals(bytes, ByteSize.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MB", "5 megs", "-5MB", "5XB", "five", "99999999999EB"})
  void parseSize_junk_throws(String text) {
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"5242880, 5MiB", "5000000, 5MB", "67108864, 64MiB", "123, 123B", "0, 0B"})
  void formatSize_values_largestExactUnit(long bytes, String text) {
    assertEquals(text, ByteSize.format(bytes));
    assertEquals(bytes, ByteSize.parse(text));
  }
}
