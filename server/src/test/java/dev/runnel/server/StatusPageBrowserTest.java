package dev.runnel.server;

import static dev.runnel.server.ServerTesting.get;
import static dev.runnel.server.ServerTesting.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator status page, rendered by headless Chromium: a screenshot with real content and the DOM. */
class StatusPageBrowserTest {
  @TempDir Path tmp;

  static String findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
      String p = PostgrestJsTest.which(name);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  static String chromium() throws Exception {
    String c = findChromium();
    if (c == null) {
      // Try the project's installer once (apt-get as root); skip only if that cannot provide it.
      Path script = Path.of("install-test-deps.sh").toAbsolutePath();
      if (Files.isExecutable(script)) {
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        p.waitFor(8, TimeUnit.MINUTES);
      }
      c = findChromium();
    }
    return c;
  }

  static String run(long seconds, List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium timed out");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  static List<String> base(String chromium, Path profile) {
    return new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile));
  }

  @Test
  void statusPage_inHeadlessChromium_rendersTenantsAndErrors() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null,
        "SKIPPED: chromium not found and could not be installed (run server/install-test-deps.sh)");
    try (RunnelServer a = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("a")));
        RunnelServer b = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("b")))) {
      for (String t : List.of("acme", "globex", "initech")) {
        assertEquals(201, send(a, "POST", "/t/" + t + "/people", "{\"name\":\"n <b>x</b>\"}", "Prefer", "durable").status());
      }
      assertEquals(200, send(a, "POST", "/t/acme/contacts/import", "name\nA\nB\n", "Content-Type", "text/csv").status());
      // A tenant held by server b: a 409 that shows up in a's recent errors.
      assertEquals(200, get(b, "/t/umbrella/people").status());
      assertEquals(409, get(a, "/t/umbrella/people").status());
      Path shot = tmp.resolve("status.png");
      List<String> cmd = base(chromium, tmp.resolve("profile1"));
      cmd.addAll(List.of("--screenshot=" + shot, "--window-size=1200,800", a.baseUri() + "/"));
      run(120, cmd);
      assertTrue(Files.exists(shot), "no screenshot written");
      long size = Files.size(shot);
      assertTrue(size > 10_000, "screenshot suspiciously small: " + size + " bytes");
      BufferedImage img = ImageIO.read(shot.toFile());
      assertEquals(1200, img.getWidth());
      Set<Integer> colors = new HashSet<>();
      int dark = 0;
      for (int y = 0; y < img.getHeight(); y += 2) {
        for (int x = 0; x < img.getWidth(); x += 2) {
          int rgb = img.getRGB(x, y) & 0xffffff;
          colors.add(rgb);
          if (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) < 200) {
            dark++;
          }
        }
      }
      assertTrue(colors.size() > 30, "page looks blank: " + colors.size() + " colours");
      assertTrue(dark > 500, "little dark text or header on the page: " + dark);
      Files.copy(shot, Path.of("target", "status-page.png").toAbsolutePath(),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);

      List<String> dump = base(chromium, tmp.resolve("profile2"));
      dump.addAll(List.of("--dump-dom", a.baseUri() + "/"));
      String dom = run(120, dump);
      assertTrue(dom.contains("Runnel server"), dom);
      assertTrue(dom.contains("<table id=\"tenants\""), dom);
      for (String t : List.of("acme", "globex", "initech")) {
        assertTrue(dom.contains(">" + t + "<"), "tenant " + t + " missing from the page");
      }
      assertTrue(dom.contains("caught up"), dom);
      assertTrue(dom.contains("umbrella") && dom.contains("409"), "recent errors should list the 409: " + dom);
      assertTrue(dom.contains("import"), dom);
      assertTrue(!dom.contains("<b>x</b>"), "page must escape data");
    }
  }
}
