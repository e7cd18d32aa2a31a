package dev.runnel.server;

import static dev.runnel.server.ServerTesting.get;
import static dev.runnel.server.ServerTesting.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.server.ServerTesting.Res;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cold starts, leases held elsewhere, restarts on an empty disk, graceful shutdown. */
class LifecycleTest {
  @TempDir Path tmp;

  ServerConfig at(String data) {
    return ServerTesting.config(tmp).withDataDir(tmp.resolve(data));
  }

  @Test
  void coldTenant_concurrentFirstRequests_allServedOneColdStart() throws Exception {
    try (RunnelServer s = RunnelServer.start(at("a"))) {
      long before = s.tenants().metrics().coldStarts();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Res>> fs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        fs.add(pool.submit(() -> get(s, "/t/cold/people")));
      }
      for (Future<Res> f : fs) {
        assertEquals(200, f.get(30, TimeUnit.SECONDS).status());
      }
      pool.shutdown();
      assertEquals(before + 1, s.tenants().metrics().coldStarts());
      assertEquals(1, s.tenants().metrics().tenantsCreated());
    }
  }

  @Test
  void restart_emptyDataDir_findsEverythingInReplica() throws Exception {
    try (RunnelServer s = RunnelServer.start(at("first"))) {
      assertEquals(201, send(s, "POST", "/t/keep/people", "[{\"id\":1,\"name\":\"A\"},{\"id\":2,\"name\":\"B\"}]").status());
      assertEquals(200, send(s, "POST", "/t/keep/contacts/import", "name\nx\ny\n", "Content-Type", "text/csv").status());
      // Not durable on request: shutdown must flush it.
      assertEquals(204, send(s, "PATCH", "/t/keep/people?id=eq.2", "{\"name\":\"B2\"}").status());
    }
    try (RunnelServer s = RunnelServer.start(at("second"))) {
      assertEquals(List.of(Map.of("id", 1L, "name", "A"), Map.of("id", 2L, "name", "B2")),
          get(s, "/t/keep/people?select=id,name&order=id").rows());
      assertEquals(2, get(s, "/t/keep/contacts").rows().size());
      assertEquals(0, s.tenants().metrics().tenantsCreated());
    }
  }

  @Test
  void tenantLeasedByAnotherServer_answers409WithHolder() throws Exception {
    try (RunnelServer a = RunnelServer.start(at("a")); RunnelServer b = RunnelServer.start(at("b"))) {
      assertEquals(201, send(a, "POST", "/t/shared/people", "{\"id\":1,\"name\":\"A\"}").status());
      Res r = get(b, "/t/shared/people");
      assertEquals(409, r.status(), r.body());
      assertEquals("RUNNEL_TENANT_BUSY", r.obj().get("code"));
      assertTrue(r.obj().get("details").toString().contains(a.tenants().holderId()), r.body());
      assertEquals(a.tenants().holderId(), r.header("Runnel-Lease-Holder"));
      assertNotNull(r.header("Retry-After"));
      // Once A lets go, B serves it.
      assertTrue(a.tenants().evict("shared"));
      assertEquals(1, get(b, "/t/shared/people").rows().size());
      String page = get(b, "/").body();
      assertTrue(page.contains("shared"));
    }
  }

  @Test
  void close_inFlightRequestFinishes_thenTenantsFlushed() throws Exception {
    RunnelServer s = RunnelServer.start(at("a"));
    assertEquals(200, get(s, "/t/grace/people").status());
    byte[] head = "id,name\n1,a\n".getBytes(StandardCharsets.UTF_8);
    byte[] tail = "2,b\n".getBytes(StandardCharsets.UTF_8);
    Socket sock = new Socket(s.address().getAddress(), s.port());
    var os = sock.getOutputStream();
    os.write(("POST /t/grace/people/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: "
        + (head.length + tail.length) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    os.write(head);
    os.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!s.importRunning("grace") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(s.importRunning("grace"));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    Thread.sleep(300);
    assertTrue(!closing.isDone(), "close must wait for the in-flight import");
    os.write(tail);
    os.flush();
    String resp = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    sock.close();
    assertTrue(resp.startsWith("HTTP/1.1 200"), resp);
    closing.get(30, TimeUnit.SECONDS);
    try (RunnelServer again = RunnelServer.start(at("b"))) {
      assertEquals(2, get(again, "/t/grace/people").rows().size());
    }
  }

  static void quiet(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // cleanup
    }
  }

}
