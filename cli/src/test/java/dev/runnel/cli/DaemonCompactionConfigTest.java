package dev.runnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runnel.compact.CompactionConfig;
import dev.runnel.config.ConfigLoader;
import dev.runnel.config.RunnelConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The config's compaction keys reach the compaction service unchanged. */
class DaemonCompactionConfigTest {

  private static RunnelConfig parse(String yaml) throws Exception {
    return ConfigLoader.system().parse(yaml, "litestream.yml", false).config();
  }

  @Test
  void compactionConfig_emptyFile_coreDefaults() throws Exception {
    assertEquals(CompactionConfig.defaults(), Daemon.compactionConfig(parse("")));
  }

  @Test
  void compactionConfig_runnelBlock_cumulativeKeysPassedThrough() throws Exception {
    CompactionConfig c = Daemon.compactionConfig(parse("""
        levels:
          - interval: 10s
        snapshot:
          interval: 1h
          retention: 2h
        runnel:
          cumulative-rewrite-ratio: .inf
        """));
    assertEquals(CompactionConfig.defaults().withLevels(List.of(Duration.ofSeconds(10)))
        .withSnapshot(Duration.ofHours(1), Duration.ofHours(2))
        .withCumulativeRewriteRatio(Double.POSITIVE_INFINITY), c);
    assertEquals(CompactionConfig.litestream(), Daemon.compactionConfig(parse("runnel:\n  cumulative-levels: false\n")));
  }
}
