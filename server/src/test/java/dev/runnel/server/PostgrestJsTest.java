package dev.runnel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock {@code @supabase/postgrest-js} client (from npm, run by Node) against a running server. */
class PostgrestJsTest {
  @TempDir Path tmp;

  static String which(String cmd) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, cmd);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  static String run(Path dir, long timeoutSeconds, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " timed out");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + text);
    }
    return text;
  }

  @SuppressWarnings("unchecked")
  static Object at(Map<String, Object> m, String... path) {
    Object o = m;
    for (String k : path) {
      o = ((Map<String, Object>) o).get(k);
    }
    return o;
  }

  static List<Object> ids(Map<String, Object> out, String name) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> data = (List<Map<String, Object>>) at(out, name, "data");
    return data.stream().map(r -> r.get("id")).toList();
  }

  @Test
  void postgrestJs_commonCalls_workUnmodified() throws Exception {
    String npm = which("npm");
    String node = which("node");
    Assumptions.assumeTrue(npm != null && node != null,
        "SKIPPED: npm/node not found on PATH; run server/install-test-deps.sh (or apt-get install nodejs npm)");
    Path dir = Path.of("target", "node").toAbsolutePath();
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve("node_modules/@supabase/postgrest-js/package.json"))) {
      run(dir, 300, npm, "install", "--no-audit", "--no-fund", "@supabase/postgrest-js@^2");
    }
    try (InputStream in = PostgrestJsTest.class.getResourceAsStream("/postgrest-js/smoke.mjs")) {
      Files.copy(in, dir.resolve("smoke.mjs"), StandardCopyOption.REPLACE_EXISTING);
    }
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp))) {
      String text = run(dir, 120, node, "smoke.mjs", s.baseUri() + "/t/pgjs");
      String last = text.strip().lines().reduce((a, b) -> b).orElse("");
      @SuppressWarnings("unchecked")
      Map<String, Object> out = (Map<String, Object>) Json.parse(last);
      assertEquals((Object) 201L, at(out, "insert", "status"));
      assertEquals(List.of(Map.of("id", 1L, "name", "Alice"), Map.of("id", 2L, "name", "bob")), at(out, "insert", "data"));
      assertEquals((Object) 201L, at(out, "insertMinimal", "status"));
      assertEquals(List.of(1L), ids(out, "select"));
      assertEquals((Object) 1L, at(out, "select", "count"));
      assertEquals(List.of(Map.of("who", "bob")), at(out, "rename", "data"));
      assertEquals(List.of(2L), ids(out, "ilike"));
      assertEquals(List.of(2L), ids(out, "like"));
      assertEquals(List.of(2L, 1L), ids(out, "in"));
      assertEquals(List.of(1L, 2L), ids(out, "or"));
      assertEquals(List.of(2L, 3L), ids(out, "is"));
      assertEquals(List.of(2L, 3L), ids(out, "not"));
      assertEquals(List.of(2L, 3L), ids(out, "range"));
      assertEquals(List.of(3L), ids(out, "limit"));
      assertEquals(18L, ((Map<?, ?>) ((List<?>) at(out, "update", "data")).get(0)).get("age"));
      assertEquals(List.of(Map.of("id", 1L, "name", "Alice B")), at(out, "upsert", "data"));
      assertEquals(List.of(4L), ids(out, "upsertIgnore"));
      assertEquals(List.of(Map.of("id", 1L, "name", "Alice C")), at(out, "upsertOnConflict", "data"));
      assertEquals(Map.of("id", 1L, "name", "Alice C"), at(out, "single", "data"));
      assertEquals((Object) null, at(out, "maybeSingle", "data"));
      assertEquals(List.of(3L), ids(out, "delete"));
      assertEquals((Object) 1L, at(out, "delete", "count"));
      assertEquals((Object) 3L, at(out, "head", "count"));
      assertEquals((Object) 406L, at(out, "singleError", "status"));
      assertEquals((Object) "PGRST116", at(out, "singleError", "code"));
      assertEquals((Object) 404L, at(out, "missing", "status"));
      assertEquals((Object) "PGRST205", at(out, "missing", "code"));
      assertEquals((Object) 400L, at(out, "badColumn", "status"));
      assertTrue(text.contains("\"singleError\""));
    }
  }
}
