package dev.runnel.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The floor under ServerBench's GET: what the HTTP layer alone costs, with a handler that answers
 * a fixed 33-byte JSON body and does nothing else. Two servers in this JVM, one after the other:
 * the JDK {@code HttpServer} on a virtual-thread executor (RunnelServer's setup, same send
 * sequence), and a blocking loop on one virtual thread per connection (reads a request head, writes
 * a response; no bodies, no parsing: a lower bound, not a server). Reports process CPU time per
 * request and requests/s over {@link LoopbackHttp} at 1 and 4 connections.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.runnel.bench.HttpFloorBench
 * </pre>
 */
final class HttpFloorBench {
  private static final byte[] BODY = "[{\"id\":1,\"name\":\"Contact 1\"}]".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
      + "Content-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

  private HttpFloorBench() {}

  public static void main(String[] argv) throws Exception {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    HttpServer jdk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    jdk.createContext("/", ex -> {
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      ex.sendResponseHeaders(200, BODY.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(BODY);
      }
      ex.close();
    });
    ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor();
    jdk.setExecutor(vt);
    jdk.start();
    try {
      measure("JDK HttpServer, virtual-thread executor", jdk.getAddress().getPort(), os);
    } finally {
      jdk.stop(0);
      vt.close();
    }
    ServerSocket ss = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
      try {
        while (true) {
          Socket c = ss.accept();
          c.setTcpNoDelay(true);
          Thread.ofVirtual().start(() -> answerAll(c));
        }
      } catch (IOException closed) {
        // the benchmark is over
      }
    });
    try {
      measure("blocking loop, one virtual thread per connection", ss.getLocalPort(), os);
    } finally {
      ss.close();
      acceptor.join(5_000);
    }
    System.out.println("loadavg at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /** Answers every request head (up to the blank line) on {@code c} with the fixed response. */
  private static void answerAll(Socket c) {
    try (c) {
      InputStream in = new BufferedInputStream(c.getInputStream());
      OutputStream out = new BufferedOutputStream(c.getOutputStream());
      while (true) {
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          boolean next = (matched % 2 == 0) ? b == '\r' : b == '\n';
          matched = next ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        out.write(HEAD);
        out.write(BODY);
        out.flush();
      }
    } catch (IOException gone) {
      // client closed the connection
    }
  }

  private static void measure(String name, int port, OperatingSystemMXBean os) throws Exception {
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    for (int connections : new int[] {1, 4}) {
      System.out.printf("%s, connections=%d: %s%n", name, connections,
          ServerCpuBench.cpuAndRate(host, port, connections, 3, 2, HttpFloorBench::fixedGet, os));
    }
  }

  private static void fixedGet(LoopbackHttp h) throws Exception {
    LoopbackHttp.Response r = h.send("GET", "/t/bench/contacts?email=eq.c1%40example.com&select=id,name", null, null);
    if (r.status() != 200 || r.body().length() != BODY.length) {
      throw new IllegalStateException("unexpected answer: " + r.status() + " " + r.body());
    }
  }
}
