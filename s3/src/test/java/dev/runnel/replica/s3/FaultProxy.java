package dev.runnel.replica.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A small HTTP/1.1 forwarding proxy on 127.0.0.1 for fault injection in front of an S3 server.
 * Raw sockets, so that it can do what a well-behaved server never does: answer 500/503/SlowDown
 * without forwarding, reset the connection in the middle of an upload (after forwarding part of
 * the body upstream), cut a response body short of its Content-Length, or add latency. A
 * {@link #rule} decides per request.
 *
 * <p>Optionally ({@link #serializeWrites}) it holds a per-key lock while a mutating request (PUT,
 * POST, DELETE) is forwarded and answered. This is a <b>test-only feature layer</b>: S3Proxy checks
 * {@code If-Match}/{@code If-None-Match} and then writes in two steps, which real S3 servers do
 * atomically; serialising writes per key makes S3Proxy's check-and-write atomic so that the
 * conditional store's concurrency tests run against a server with real S3 semantics. Reads are
 * not serialised (S3Proxy replaces a blob atomically).
 *
 * <p>Requests must carry Content-Length (the S3 client sends no chunked bodies and no
 * {@code Expect: 100-continue}). Upstream connections are one per request.
 */
public final class FaultProxy implements AutoCloseable {

  /** One parsed request head. Header names are lower case. */
  public record Request(String method, String target, Map<String, String> headers, long contentLength) {
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    public String query() {
      int q = target.indexOf('?');
      return q < 0 ? "" : target.substring(q + 1);
    }

    public boolean isWrite() {
      return method.equals("PUT") || method.equals("POST") || method.equals("DELETE");
    }

    /** Whether this is an upload of an object or part (PUT with a body). */
    public boolean isUpload() {
      return method.equals("PUT") && contentLength > 0;
    }

    @Override
    public String toString() {
      return method + " " + target;
    }
  }

  /** What to do with one request. */
  public record Fault(Kind kind, int status, String code, double fraction, long delayMillis) {
    public enum Kind { PASS, ERROR, RESET_MID_UPLOAD, TRUNCATE_RESPONSE }

    public static final Fault PASS = new Fault(Kind.PASS, 0, null, 0, 0);

    /** Answer with an S3 error document, without forwarding. */
    public static Fault error(int status, String code) {
      return new Fault(Kind.ERROR, status, code, 0, 0);
    }

    /** Forward the head and {@code fraction} of the body upstream, then reset both connections. */
    public static Fault resetMidUpload(double fraction) {
      return new Fault(Kind.RESET_MID_UPLOAD, 0, null, fraction, 0);
    }

    /** Forward, then send the full Content-Length header but only {@code fraction} of the body, then close. */
    public static Fault truncateResponse(double fraction) {
      return new Fault(Kind.TRUNCATE_RESPONSE, 0, null, fraction, 0);
    }

    /** Forward after a delay. */
    public static Fault delay(long millis) {
      return new Fault(Kind.PASS, 0, null, 0, millis);
    }
  }

  private final URI upstream;
  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, ReentrantLock> keyLocks = new ConcurrentHashMap<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final AtomicInteger faults = new AtomicInteger();
  private volatile Function<Request, Fault> rule = r -> Fault.PASS;
  private volatile boolean serializeWrites;
  private volatile Function<String, String> etagLookup;
  private volatile boolean closed;

  private FaultProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    pool.submit(this::acceptLoop);
  }

  /** Starts a proxy to {@code upstream} (an {@code http://127.0.0.1:port} URL). */
  public static FaultProxy start(URI upstream) throws IOException {
    return new FaultProxy(upstream);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Sets the fault rule; {@code null} means pass everything. */
  public FaultProxy rule(Function<Request, Fault> r) {
    rule = r == null ? x -> Fault.PASS : r;
    return this;
  }

  /** Serialise mutating requests per key path (see the class comment). */
  public FaultProxy serializeWrites(boolean on) {
    serializeWrites = on;
    return this;
  }

  /**
   * Emulates {@code If-Match} on DeleteObject, which S3Proxy ignores: under the per-key write lock
   * (so {@link #serializeWrites} must be on), {@code etagOf} is asked for the object's current ETag
   * (null if missing; "/bucket/key" path given) and the DELETE is answered 404 or 412 instead of
   * being forwarded when it does not match. Test-only feature layer, like serializeWrites.
   */
  public FaultProxy emulateConditionalDelete(Function<String, String> etagOf) {
    etagLookup = etagOf;
    return this;
  }

  /** Requests seen, as {@code METHOD target -> outcome}. */
  public List<String> log() {
    return new ArrayList<>(log);
  }

  /** Faults injected so far. */
  public int faultCount() {
    return faults.get();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
    pool.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        pool.submit(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          log.add("accept failed: " + e);
        }
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Request req = readHead(in);
        if (req == null) {
          return;
        }
        Fault f = Objects.requireNonNullElse(rule.apply(req), Fault.PASS);
        if (f.delayMillis() > 0) {
          Thread.sleep(f.delayMillis());
        }
        switch (f.kind()) {
          case ERROR -> {
            faults.incrementAndGet();
            discard(in, req.contentLength());
            log.add(req + " -> injected " + f.status() + " " + f.code());
            writeError(out, f.status(), f.code());
          }
          case RESET_MID_UPLOAD -> {
            faults.incrementAndGet();
            long n = (long) (req.contentLength() * f.fraction());
            log.add(req + " -> reset after " + n + " of " + req.contentLength() + " body bytes");
            try (Socket up = connectUpstream()) {
              OutputStream uo = up.getOutputStream();
              writeHead(uo, req);
              copy(in, uo, n);
              uo.flush();
              reset(up);
            }
            reset(client);
            return;
          }
          case PASS, TRUNCATE_RESPONSE -> {
            Response resp = forwardLocked(req, in);
            if (f.kind() == Fault.Kind.TRUNCATE_RESPONSE && resp.body.length > 0) {
              faults.incrementAndGet();
              int n = (int) (resp.body.length * f.fraction());
              log.add(req + " -> " + resp.status + ", body truncated to " + n + " of " + resp.body.length);
              writeResponse(out, req, resp, n);
              out.flush();
              return; // close: the client sees end of stream before Content-Length
            }
            log.add(req + " -> " + resp.status);
            writeResponse(out, req, resp, resp.body.length);
          }
          default -> throw new AssertionError(f);
        }
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // client went away or was reset on purpose
    } finally {
      open.remove(client);
    }
  }

  private Response forwardLocked(Request req, InputStream in) throws IOException {
    ReentrantLock lock = null;
    if (serializeWrites && req.isWrite()) {
      lock = keyLocks.computeIfAbsent(req.path(), k -> new ReentrantLock());
    }
    // Read the body before taking the lock so a slow client cannot hold it.
    byte[] body = in.readNBytes((int) req.contentLength());
    if (body.length < req.contentLength()) {
      throw new EOFException("client body ended early");
    }
    if (lock != null) {
      lock.lock();
    }
    try {
      Function<String, String> lookup = etagLookup;
      String ifMatch = req.headers().get("if-match");
      if (lookup != null && lock != null && req.method().equals("DELETE") && ifMatch != null) {
        String current = lookup.apply(java.net.URLDecoder.decode(req.path(), StandardCharsets.UTF_8));
        if (current == null) {
          return errorResponse(404, "NoSuchKey");
        }
        if (!current.replace("\"", "").equals(ifMatch.replace("\"", ""))) {
          return errorResponse(412, "PreconditionFailed");
        }
      }
      return forward(req, body);
    } finally {
      if (lock != null) {
        lock.unlock();
      }
    }
  }

  private static Response errorResponse(int status, String code) {
    byte[] body = errorBody(code);
    Map<String, String> h = new LinkedHashMap<>();
    h.put("content-type", "application/xml");
    return new Response(status, "Emulated", h, body, body.length);
  }

  private Response forward(Request req, byte[] body) throws IOException {
    try (Socket up = connectUpstream()) {
      OutputStream uo = up.getOutputStream();
      writeHead(uo, req);
      uo.write(body);
      uo.flush();
      return readResponse(new BufferedInputStream(up.getInputStream()), req.method().equals("HEAD"));
    }
  }

  private Socket connectUpstream() throws IOException {
    Socket up = new Socket();
    up.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 5000);
    up.setSoTimeout(30_000);
    up.setTcpNoDelay(true);
    return up;
  }

  // ---- HTTP/1.1 parsing and writing ----------------------------------------------------------

  private record Response(int status, String reason, Map<String, String> headers, byte[] body, long declaredLength) {}

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      return null;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> h = new LinkedHashMap<>();
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    return h;
  }

  private static Request readHead(InputStream in) throws IOException {
    String line = readLine(in);
    if (line == null || line.isEmpty()) {
      return null;
    }
    String[] parts = line.split(" ");
    Map<String, String> h = readHeaders(in);
    if (h.containsKey("transfer-encoding")) {
      throw new IOException("chunked request bodies are not supported by this test proxy");
    }
    long len = h.containsKey("content-length") ? Long.parseLong(h.get("content-length")) : 0;
    return new Request(parts[0], parts[1], h, len);
  }

  private static void writeHead(OutputStream out, Request req) throws IOException {
    StringBuilder b = new StringBuilder(req.method()).append(' ').append(req.target()).append(" HTTP/1.1\r\n");
    req.headers().forEach((k, v) -> {
      if (!k.equals("connection")) {
        b.append(k).append(": ").append(v).append("\r\n");
      }
    });
    b.append("connection: close\r\n\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Response readResponse(InputStream in, boolean head) throws IOException {
    String status = readLine(in);
    if (status == null) {
      throw new EOFException("upstream closed without a response");
    }
    String[] parts = status.split(" ", 3);
    int code = Integer.parseInt(parts[1]);
    Map<String, String> h = readHeaders(in);
    long declared = h.containsKey("content-length") ? Long.parseLong(h.get("content-length")) : -1;
    byte[] body;
    if (head || code == 204 || code == 304 || (code >= 100 && code < 200)) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        String size = readLine(in);
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while (true) {
            String trailer = readLine(in);
            if (trailer == null || trailer.isEmpty()) {
              break;
            }
          }
          break;
        }
        b.write(in.readNBytes(n));
        readLine(in);
      }
      body = b.toByteArray();
    } else if (declared >= 0) {
      body = in.readNBytes((int) declared);
    } else {
      body = in.readAllBytes();
    }
    return new Response(code, parts.length > 2 ? parts[2] : "", h, body, declared);
  }

  private static void writeResponse(OutputStream out, Request req, Response r, int bodyBytes) throws IOException {
    StringBuilder b = new StringBuilder("HTTP/1.1 ").append(r.status).append(' ').append(r.reason).append("\r\n");
    r.headers.forEach((k, v) -> {
      if (!k.equals("connection") && !k.equals("transfer-encoding") && !k.equals("content-length")) {
        b.append(k).append(": ").append(v).append("\r\n");
      }
    });
    long length = req.method().equals("HEAD") ? Math.max(0, r.declaredLength) : r.body.length;
    if (!(r.status == 204 || r.status == 304)) {
      b.append("content-length: ").append(length).append("\r\n");
    }
    b.append("connection: keep-alive\r\n\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(r.body, 0, bodyBytes);
  }

  private static byte[] errorBody(String code) {
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
        + "</Code><Message>injected by FaultProxy</Message><RequestId>fault-proxy</RequestId></Error>")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void writeError(OutputStream out, int status, String code) throws IOException {
    byte[] body = errorBody(code);
    String head = "HTTP/1.1 " + status + " Injected\r\ncontent-type: application/xml\r\ncontent-length: "
        + body.length + "\r\nconnection: keep-alive\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
  }

  private static void discard(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) {
          throw new EOFException();
        }
        s = 1;
      }
      left -= s;
    }
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new EOFException();
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  /** Closes with SO_LINGER 0: the peer gets a TCP RST, not an orderly FIN. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
