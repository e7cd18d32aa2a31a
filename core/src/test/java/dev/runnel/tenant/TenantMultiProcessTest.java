package dev.runnel.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenants across JVMs: kill -9 of a process with many hot tenants, and lease races between JVMs. */
class TenantMultiProcessTest {
  @TempDir Path tmp;

  private Process child(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
        TenantChild.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("child.log").toFile())).start();
  }

  private String childLog() throws Exception {
    Path p = tmp.resolve("child.log");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  @Test
  void killNine_processWithManyHotTenants_newProcessFindsEveryAcknowledgedTransaction() throws Exception {
    int tenants = 20;
    String base = TenantTesting.fileUrl(tmp.resolve("replica"));
    Path ack = tmp.resolve("ack.txt");
    long seed = System.nanoTime();
    Process p = child("crash", tmp.resolve("cache-child").toString(), base, ack.toString(), Long.toString(seed),
        Integer.toString(tenants));
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String first = out.readLine();
    assertEquals("ready", first, childLog());
    Thread.sleep(1500 + new Random(seed).nextInt(1000));
    p.destroyForcibly(); // SIGKILL
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));

    Map<String, Long> acked = new HashMap<>();
    for (String line : Files.readAllLines(ack)) {
      String[] parts = line.split(" ");
      if (parts.length == 2) { // a torn last line was never acknowledged
        acked.merge(parts[0], Long.parseLong(parts[1]), Math::max);
      }
    }
    assertTrue(acked.size() >= tenants / 2, "the child acknowledged writes in most tenants: " + acked);
    // The dead child's leases (30 s) must have expired: a clock 31 s ahead stands in for the wait.
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(31));
    try (TenantDatabases m = TenantDatabases.builder().replicaBase(base).cacheDirectory(tmp.resolve("cache-new"))
        .clock(later).options(TenantTesting.fastOptions()).schemaInitializer(TenantTesting.SCHEMA).build()) {
      for (int t = 0; t < tenants; t++) {
        String id = "crash-" + t;
        try (TenantHandle h = m.acquire(id); Connection c = h.reader(); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM items")) {
          rs.next();
          long n = rs.getLong(1);
          assertEquals(n, rs.getLong(2), id + ": rows are a prefix (a committed state), seed " + seed);
          assertTrue(n >= acked.getOrDefault(id, 0L), id + ": " + n + " rows restored but " + acked.get(id)
              + " acknowledged, seed " + seed);
        }
      }
      assertEquals(tenants, m.metrics().coldStarts());
      assertEquals(0, m.metrics().tenantsCreated(), "every tenant was found in the replica");
    }
  }

  @Test
  void twoJvms_acquireSameTenant_exactlyOneWinsEveryRound() throws Exception {
    String base = TenantTesting.fileUrl(tmp.resolve("replica"));
    Process p = child("lease", tmp.resolve("cache-child").toString(), base, "child-jvm");
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    assertEquals("ready", out.readLine(), childLog());
    int rounds = 40;
    int parentWins = 0;
    Random rnd = new Random();
    try (TenantDatabases m = TenantDatabases.builder().replicaBase(base).cacheDirectory(tmp.resolve("cache-parent"))
        .holderId("parent-jvm").options(TenantTesting.fastOptions()).schemaInitializer(TenantTesting.SCHEMA)
        .build()) {
      for (int r = 0; r < rounds; r++) {
        String id = "race-" + r;
        in.write(id + "\n");
        in.flush();
        Thread.sleep(rnd.nextInt(4)); // let either side be first
        boolean parentWon;
        try (TenantHandle h = m.acquire(id)) {
          TenantTesting.insert(h, "parent");
          parentWon = true;
        } catch (TenantBusyException e) {
          assertEquals("child-jvm", e.holder());
          parentWon = false;
        }
        String line = out.readLine();
        assertTrue(line != null && line.startsWith(id + " "), line + "\n" + childLog());
        boolean childWon = line.endsWith(" won");
        assertTrue(parentWon ^ childWon, "round " + r + ": parent won " + parentWon + ", child " + line);
        parentWins += parentWon ? 1 : 0;
      }
      System.out.println("lease race: parent won " + parentWins + " of " + rounds);
    } finally {
      in.close();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), childLog());
    }
    assertEquals(0, p.exitValue(), childLog());
  }
}
