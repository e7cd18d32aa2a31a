package dev.runnel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected values are what Go's os.Expand returns for the same input and environment. */
class ConfigEnvExpanderTest {
  private static final Map<String, String> ENV =
      Map.of("BUCKET", "acme", "ORG_ID", "42", "EMPTY", "", "VAR:-x", "odd", "A_1", "a1");

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
    "$BUCKET|acme",
    "${BUCKET}|acme",
    "gs://${BUCKET}/org-${ORG_ID}/db|gs://acme/org-42/db",
    "$BUCKET/x|acme/x",
    "$BUCKETx|''",
    "${BUCKET}x|acmex",
    "$UNSET|''",
    "a${UNSET}b|ab",
    "$EMPTY|''",
    "${VAR:-x}|odd",
    "${NOPE:-default}|''",
    "$$|''",
    "a$$b|ab",
    "$1|''",
    "$?x|x",
    "${*}|''",
    "$|$",
    "a$|a$",
    "$ x|$ x",
    "$/x|$/x",
    "$.|$.",
    "$-x|x",
    "${}x|x",
    "${BUCKET|BUCKET",
    "price: 5$|price: 5$",
    "$A_1-$A_1|a1-a1",
    "no dollars|no dollars",
    "${PID}|4242",
    "$PID.db|4242.db",
  })
  void expand_goCases_matchOsExpand(String input, String expected) {
    assertEquals(expected, EnvExpander.expand(input, ENV, 4242));
  }

  @Test
  void expand_braceSpansLines_takesEverythingToNextBrace() {
    // Go scans to the next '}' even across newlines, so the whole span is one (unset) name.
    assertEquals("a\nc}", EnvExpander.expand("a${b\n}\nc}", ENV, 1));
  }

  @Test
  void expand_pidInEnvironment_processIdWins() {
    assertEquals("7", EnvExpander.expand("$PID", Map.of("PID", "999"), 7));
  }
}
