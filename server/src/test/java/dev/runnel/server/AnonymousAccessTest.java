package dev.runnel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runnel.server.ServerTesting.Res;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a JWT only loopback clients are served (unless configured otherwise); disabled endpoints are 404. */
class AnonymousAccessTest {
  @TempDir Path tmp;

  /** An address of this machine that is not loopback, if it has one. */
  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static int status(InetAddress host, int port, String path) throws Exception {
    return ServerTesting.CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + host.getHostAddress() + ":" + port
        + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void anonymousAllowed_noJwt_onlyLoopbackUnlessRemoteAnonymous() throws Exception {
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp))) {
      assertTrue(s.anonymousAllowed(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1)));
      assertTrue(s.anonymousAllowed(new InetSocketAddress(InetAddress.getByName("::1"), 1)));
      assertFalse(s.anonymousAllowed(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 1)));
      assertFalse(s.anonymousAllowed(null));
    }
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("d2"))
        .withRemoteAnonymous(true))) {
      assertTrue(s.anonymousAllowed(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 1)));
    }
    byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("d3"))
        .withJwt(ServerConfig.JwtConfig.hs256(secret)))) {
      // With a JWT, every request is checked by its token instead.
      assertTrue(s.anonymousAllowed(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 1)));
    }
  }

  @Test
  void request_noJwtFromNonLoopbackClient_401ButHealthServed() throws Exception {
    Optional<InetAddress> remote = nonLoopbackAddress();
    assumeTrue(remote.isPresent(), "this machine has no non-loopback IPv4 address");
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp).withBind("0.0.0.0", 0))) {
      InetAddress lo = InetAddress.getByName("127.0.0.1");
      assertEquals(200, status(lo, s.port(), "/t/acme/people"));
      assertEquals(200, status(lo, s.port(), "/"));
      assertEquals(401, status(remote.get(), s.port(), "/t/acme/people"));
      assertEquals(401, status(remote.get(), s.port(), "/"));
      assertEquals(401, status(remote.get(), s.port(), "/metrics"));
      assertEquals(200, status(remote.get(), s.port(), "/healthz"));
      assertEquals(200, status(remote.get(), s.port(), "/readyz"));
    }
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("d2"))
        .withBind("0.0.0.0", 0).withRemoteAnonymous(true))) {
      assertEquals(200, status(remote.get(), s.port(), "/t/acme/people"));
    }
  }

  @Test
  void endpoints_statusPageAndMetricsDisabled_404() throws Exception {
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp)
        .withEndpoints(new ServerConfig.Endpoints(false, false)))) {
      Res page = ServerTesting.get(s, "/");
      assertEquals(404, page.status(), page.body());
      assertEquals(404, ServerTesting.get(s, "/metrics").status());
      assertEquals(200, ServerTesting.get(s, "/healthz").status());
      assertEquals(200, ServerTesting.get(s, "/t/acme/people").status());
    }
    try (RunnelServer s = RunnelServer.start(ServerTesting.config(tmp).withDataDir(tmp.resolve("d2")))) {
      assertEquals(200, ServerTesting.get(s, "/").status());
      assertEquals(200, ServerTesting.get(s, "/metrics").status());
    }
  }
}
