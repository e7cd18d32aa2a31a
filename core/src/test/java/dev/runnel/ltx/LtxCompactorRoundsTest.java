package dev.runnel.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link LtxCompactor#mergeInRounds}: bounded groups, order kept, one file name per group. */
class LtxCompactorRoundsTest {
  private static final Path WORK = Path.of("/work-dir");

  @Test
  void mergeInRounds_fewInputs_returnedAsIs() throws Exception {
    List<String> in = List.of("a", "b", "c");
    assertSame(in, LtxCompactor.mergeInRounds(in, 3, WORK, (g, out) -> {
      throw new AssertionError("no merge expected");
    }));
  }

  @Test
  void mergeInRounds_manyInputs_groupsOfAtMostMaxOpenInOrderUntilFewEnough() throws Exception {
    List<String> in = IntStream.range(0, 300).mapToObj(i -> "f" + i).toList();
    List<String> outs = new ArrayList<>();
    List<String> result = LtxCompactor.mergeInRounds(in, 4, WORK, (group, out) -> {
      assertTrue(group.size() >= 2 && group.size() <= 4, "group " + group);
      outs.add(WORK.relativize(out).toString());
      return String.join("+", group);
    });
    assertTrue(result.size() <= 4, "result " + result.size());
    // Every input still appears exactly once, in the original order.
    assertEquals(String.join("+", in), String.join("+", result));
    // Round 0 merges 75 groups of 4, round 1 19 groups, round 2 5; round 3 merges 4 and passes 1 on.
    assertEquals(75 + 19 + 5 + 1, outs.size());
    assertEquals("merge-0-0.ltx", outs.get(0));
    assertEquals("merge-0-296.ltx", outs.get(74));
    assertEquals("merge-1-0.ltx", outs.get(75));
  }
}
