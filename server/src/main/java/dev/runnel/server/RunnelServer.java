package dev.runnel.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.runnel.tenant.EvictionCause;
import dev.runnel.tenant.TenantBusyException;
import dev.runnel.tenant.TenantDatabases;
import dev.runnel.tenant.TenantHandle;
import dev.runnel.tenant.TenantHook;
import dev.runnel.tenant.TenantIds;
import dev.runnel.tenant.TenantListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runnel server: a PostgREST-compatible REST API over per-tenant SQLite databases replicated by
 * Runnel, bulk CSV import, Prometheus metrics, health checks and an operator status page.
 *
 * <pre>{@code
 * try (RunnelServer s = RunnelServer.start(ServerConfig.defaults().withPort(8080))) {
 *   s.awaitShutdown();   // or keep running and close() on SIGTERM
 * }
 * }</pre>
 *
 * Routes: {@code /t/{tenant}/{table}} (GET, HEAD, POST, PATCH, DELETE), {@code /t/{tenant}/{table}/import}
 * (POST CSV), {@code /t/{tenant}/} (GET: the tenant's exposed tables), {@code /metrics}, {@code /healthz},
 * {@code /readyz}, {@code /} (status page). See the README, section "Server".
 *
 * <p>Thread-safe. Requests run on virtual threads.
 */
public final class RunnelServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunnelServer.class.getName());

  private final ServerConfig config;
  private final HttpServer http;
  private final ExecutorService executor;
  private final TenantDatabases tenants;
  private final RestApi rest;
  private final CsvImporter importer;
  private final Jwt jwt;
  final ServerMetrics metrics = new ServerMetrics();
  final SchemaCache schemas = new SchemaCache(SchemaCache.DEFAULT_MAX_ENTRIES);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long startedAt = System.currentTimeMillis();
  private volatile boolean stopping;
  private volatile boolean closed;
  private final Object closeLock = new Object();

  private RunnelServer(ServerConfig config, TenantHook initializer, TenantHook migration) throws IOException {
    this.config = config;
    if (config.jwt() != null) {
      ServerConfig.JwtConfig j = config.jwt();
      try {
        this.jwt = new Jwt(j.hs256Secret(), j.rs256PublicKeyPem() == null ? null
            : Jwt.rsaPublicKeyFromPem(j.rs256PublicKeyPem()), j.leeway(), Clock.systemUTC());
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid JWT configuration: " + e.getClass().getSimpleName()
            + " (check the RS256 public key PEM and the HS256 secret length)");
      }
    } else {
      this.jwt = null;
    }
    Files.createDirectories(config.dataDir());
    TenantHook init = initializer;
    if (init == null && config.tenantSchema() != null) {
      String script = config.tenantSchema();
      init = (id, c) -> {
        try (Statement st = c.createStatement()) {
          st.executeUpdate(script);
        }
      };
    }
    TenantDatabases.Builder b = TenantDatabases.builder()
        .replicaBase(config.effectiveReplicaBase())
        .cacheDirectory(config.dataDir().resolve("tenants"))
        .options(config.tenantOptions())
        .listener(new TenantListener() {
          @Override
          public void coldStarted(String tenantId, boolean created, Duration elapsed) {
            metrics.event(tenantId, created ? "created" : "restored", "cold start in " + elapsed.toMillis() + " ms");
          }

          @Override
          public void evicted(String tenantId, EvictionCause cause) {
            metrics.event(tenantId, "evicted", cause.toString());
          }

          @Override
          public void leaseLost(String tenantId, String reason) {
            metrics.error(tenantId, "lease-lost", reason);
          }

          @Override
          public void error(String tenantId, String operation, Throwable error) {
            metrics.error(tenantId, operation, String.valueOf(error.getMessage()));
          }
        });
    if (init != null) {
      b.schemaInitializer(init);
    }
    if (migration != null) {
      b.migration(migration);
    }
    this.tenants = b.build();
    this.rest = new RestApi(tenants, config, schemas);
    this.importer = new CsvImporter(config);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 256);
    } catch (IOException e) {
      tenants.close();
      executor.close();
      throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    this.http = s;
    s.createContext("/", this::dispatch);
    s.setExecutor(executor);
    s.start();
    if (jwt == null && config.remoteAnonymous()) {
      LOG.log(Level.WARNING, "runnel-server no JWT configured and remote anonymous access allowed: every client "
          + "that reaches {0} may read and write every tenant", address().getHostString() + ":" + port());
    } else if (jwt == null) {
      LOG.log(Level.WARNING, "runnel-server no JWT configured: loopback clients may read and write every tenant; "
          + "other clients get 401 (listening on {0})", address().getHostString() + ":" + port());
    }
    LOG.log(Level.INFO, "runnel-server listening on http://{0}:{1} (replica {2}, data {3})",
        address().getHostString(), Integer.toString(port()), config.effectiveReplicaBase(), config.dataDir());
  }

  /** Starts a server; tenants are created empty (or with {@link ServerConfig#tenantSchema()}). */
  public static RunnelServer start(ServerConfig config) throws IOException {
    return new RunnelServer(config, null, null);
  }

  /**
   * Starts a server with application hooks: {@code schemaInitializer} runs for brand-new tenants
   * (overrides {@link ServerConfig#tenantSchema()}), {@code migration} on every cold start. Either may be null.
   */
  public static RunnelServer start(ServerConfig config, TenantHook schemaInitializer, TenantHook migration)
      throws IOException {
    return new RunnelServer(config, schemaInitializer, migration);
  }

  /** Serves {@link ServerConfig#defaults()} (port from {@code $RUNNEL_PORT}) until SIGTERM/SIGINT. */
  public static void main(String[] args) throws Exception {
    ServerConfig c = ServerConfig.defaults();
    String port = System.getenv("RUNNEL_PORT");
    if (port != null) {
      c = c.withPort(Integer.parseInt(port));
    }
    RunnelServer s = start(c);
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "runnel-server-shutdown"));
    s.awaitShutdown();
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://host:port}. */
  public URI baseUri() {
    return URI.create("http://" + address().getHostString() + ":" + port());
  }

  /** The tenant manager (for embedding applications: pre-warming, importing existing files). */
  public TenantDatabases tenants() {
    return tenants;
  }

  public ServerConfig config() {
    return config;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitShutdown() throws InterruptedException {
    synchronized (closeLock) {
      while (!closed) {
        closeLock.wait();
      }
    }
  }

  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish for up to
   * {@link ServerConfig#shutdownGrace()}, then closes the tenant manager, which flushes every hot
   * tenant to its replica and releases its lease. Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed || stopping) {
        return;
      }
      stopping = true;
    }
    LOG.log(Level.INFO, "runnel-server stopping: {0} requests in flight", inFlight.get());
    // HttpServer.stop closes the listener at once, then waits for running exchanges up to the delay.
    long graceSeconds = Math.max(0, (config.shutdownGrace().toMillis() + 999) / 1000);
    http.stop((int) Math.min(Integer.MAX_VALUE, graceSeconds));
    try {
      tenants.close();
    } catch (IOException e) {
      LOG.log(Level.ERROR, "runnel-server tenants not flushed at shutdown: " + e.getMessage());
    }
    executor.shutdown();
    LOG.log(Level.INFO, "runnel-server stopped");
    synchronized (closeLock) {
      closed = true;
      closeLock.notifyAll();
    }
  }

  // ------------------------------------------------------------------------------- plumbing

  static TenantHandle acquire(TenantDatabases tenants, String tenant) throws ApiException {
    try {
      return tenants.acquire(tenant);
    } catch (TenantBusyException e) {
      throw new ApiException(409, "RUNNEL_TENANT_BUSY", "tenant " + tenant + " is served by another process",
          "leased by " + e.holder() + " until " + e.expiresAt(), "send the request to " + e.holder()
          + " or retry after the lease expires").header("Runnel-Lease-Holder", e.holder()).header("Retry-After",
          Long.toString(Math.max(1, Duration.between(java.time.Instant.now(), e.expiresAt()).toSeconds())));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "RUNNEL_TENANT", e.getMessage());
    } catch (IllegalStateException e) {
      throw new ApiException(503, "RUNNEL_STOPPING", "the server is shutting down", null, null).header("Retry-After",
          "1");
    } catch (IOException e) {
      throw new ApiException(503, "RUNNEL_TENANT_UNAVAILABLE", "tenant " + tenant + " could not be started",
          e.getMessage(), "retry; see the server log").header("Retry-After", "1");
    }
  }

  static byte[] readBody(HttpExchange ex, long max) throws ApiException, IOException {
    String cl = ex.getRequestHeaders().getFirst("Content-Length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > max) {
          throw tooLarge(max);
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid Content-Length");
      }
    }
    byte[] b = ex.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (b.length > max) {
      throw tooLarge(max);
    }
    return b;
  }

  static ApiException tooLarge(long max) {
    return new ApiException(413, "PGRST413", "Payload too large: the limit is " + max + " bytes", null, null);
  }

  /** A body stream that fails with 413 past {@code max} bytes. */
  static final class CappedInput extends InputStream {
    private final InputStream in;
    private final long max;
    private long n;
    boolean exceeded;

    CappedInput(InputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int r = read(one, 0, 1);
      return r < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        n += r;
        if (n > max) {
          exceeded = true;
          throw new IOException("body larger than " + max + " bytes");
        }
      }
      return r;
    }
  }

  static List<Map.Entry<String, String>> parseQuery(String raw) throws ApiException {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      try {
        out.add(new AbstractMap.SimpleImmutableEntry<>(URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8)));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("malformed query string", "invalid percent-encoding in parameter");
      }
    }
    return out;
  }

  private static String decodePath(String seg) throws ApiException {
    try {
      return URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed path", "invalid percent-encoding");
    }
  }

  private record Principal(boolean mayRead, boolean mayWrite) {}

  /**
   * Without a JWT every request is anonymous and may write every tenant; unless the configuration
   * says otherwise, only this machine's clients get that.
   */
  boolean anonymousAllowed(InetSocketAddress remote) {
    if (jwt != null || config.remoteAnonymous()) {
      return true;
    }
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress();
  }

  private Principal authorize(HttpExchange ex, String tenant) throws ApiException {
    if (jwt == null) {
      return new Principal(true, true);
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || auth.isBlank()) {
      throw new ApiException(401, "PGRST302", "Anonymous access is disabled", null,
          "send Authorization: Bearer <JWT>").header("WWW-Authenticate", "Bearer");
    }
    if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(401, "PGRST301", "Authorization header must be 'Bearer <JWT>'", null, null)
          .header("WWW-Authenticate", "Bearer error=\"invalid_request\"");
    }
    Map<String, Object> claims;
    try {
      claims = jwt.verify(auth.substring(7).trim());
    } catch (Jwt.InvalidTokenException e) {
      throw new ApiException(401, e.expired() ? "PGRST303" : "PGRST301", e.getMessage(), null, null)
          .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    ServerConfig.JwtConfig j = config.jwt();
    Object claimed = claims.get(j.tenantClaim());
    if (!(claimed instanceof String s) || !s.equals(tenant)) {
      throw new ApiException(403, "42501", "permission denied for tenant " + tenant, "the token's "
          + j.tenantClaim() + " claim does not name this tenant", null);
    }
    Object role = claims.get(j.roleClaim());
    boolean write = role instanceof String r && j.writeRoles().contains(r);
    boolean read = write || role instanceof String r2 && j.readRoles().contains(r2);
    if (!read) {
      throw new ApiException(403, "42501", "permission denied: role not allowed", "the token's " + j.roleClaim()
          + " claim is missing or not one of " + j.readRoles(), null);
    }
    return new Principal(true, write);
  }

  private void dispatch(HttpExchange ex) throws IOException {
    long t0 = System.nanoTime();
    inFlight.incrementAndGet();
    String route = "other";
    String tenant = null;
    int status = 500;
    try {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      try {
        if (!path.equals("/healthz") && !path.equals("/readyz") && !anonymousAllowed(ex.getRemoteAddress())) {
          throw new ApiException(401, "PGRST302", "Anonymous access is allowed from loopback clients only", null,
              "configure a JWT secret or public key (then send Authorization: Bearer <JWT>)")
              .header("WWW-Authenticate", "Bearer");
        }
        if (path.equals("/") && config.endpoints().statusPage()) {
          route = "/";
          status = send(ex, 200, "text/html; charset=utf-8", StatusPage.render(this, tenants, metrics));
        } else if (path.equals("/metrics") && config.endpoints().metrics()) {
          route = "/metrics";
          status = send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(tenants));
        } else if (path.equals("/healthz")) {
          route = "/healthz";
          status = send(ex, 200, "application/json", "{\"status\":\"ok\"}\n");
        } else if (path.equals("/readyz")) {
          route = "/readyz";
          boolean ready = !stopping;
          status = send(ex, ready ? 200 : 503, "application/json",
              ready ? "{\"status\":\"ready\"}\n" : "{\"status\":\"stopping\"}\n");
        } else if (path.startsWith("/t/")) {
          String[] seg = path.substring(3).split("/", -1);
          tenant = decodePath(seg[0]);
          if (!TenantIds.isValid(tenant)) {
            route = "/t/{tenant}";
            throw new ApiException(400, "RUNNEL_TENANT", "invalid tenant id", "expected 1.." + TenantIds.MAX_LENGTH
                + " characters of [A-Za-z0-9_-]", null);
          }
          if (stopping) {
            throw new ApiException(503, "RUNNEL_STOPPING", "the server is shutting down", null, null)
                .header("Retry-After", "1");
          }
          if (seg.length == 1 || (seg.length == 2 && seg[1].isEmpty())) {
            route = "/t/{tenant}/";
            Principal p = authorize(ex, tenant);
            status = tables(ex, tenant, p);
          } else if (seg.length == 2) {
            route = "/t/{tenant}/{table}";
            String table = decodePath(seg[1]);
            Principal p = authorize(ex, tenant);
            RestApi.Response r = rest.handle(ex, tenant, table, parseQuery(ex.getRequestURI().getRawQuery()),
                p.mayWrite());
            status = send(ex, r);
          } else if (seg.length == 3 && seg[2].equals("import")) {
            route = "/t/{tenant}/{table}/import";
            String table = decodePath(seg[1]);
            Principal p = authorize(ex, tenant);
            status = importCsv(ex, tenant, table, p);
          } else {
            throw new ApiException(404, "PGRST125", "Invalid path specified in request URL", null,
                "routes: /t/{tenant}/{table} and /t/{tenant}/{table}/import");
          }
        } else {
          throw new ApiException(404, "PGRST125", "Invalid path specified in request URL", null,
              "routes: /t/{tenant}/{table}, /t/{tenant}/{table}/import, /metrics, /healthz, /readyz, /");
        }
      } catch (ApiException e) {
        status = e.status();
        if (status >= 500 || status == 409) {
          metrics.error(tenant, route, status + " " + e.getMessage() + (e.details() != null ? ": " + e.details() : ""));
        }
        sendError(ex, e);
      } catch (RuntimeException | IOException e) {
        status = 500;
        LOG.log(Level.ERROR, "runnel-server [" + (tenant == null ? "-" : tenant) + "] " + method + " " + route
            + " failed", e);
        metrics.error(tenant, route, "500 " + e);
        sendError(ex, new ApiException(500, "XX000", "internal server error", e.getClass().getSimpleName(), null));
      }
      long micros = (System.nanoTime() - t0) / 1000;
      metrics.request(route, method, status, micros);
      LOG.log(Level.DEBUG, "runnel-server [{0}] {1} {2} {3} {4}ms", tenant == null ? "-" : tenant, method,
          path, Integer.toString(status), Long.toString(micros / 1000));
    } finally {
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  private int tables(HttpExchange ex, String tenant, Principal p) throws ApiException, IOException {
    if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
      throw new ApiException(405, "PGRST117", "Unsupported HTTP method: " + ex.getRequestMethod());
    }
    try (TenantHandle h = acquire(tenants, tenant); var c = h.reader()) {
      Map<String, Object> m = Json.object();
      m.put("tenant", tenant);
      m.put("tables", TableSchema.list(c, config.exposedTables()));
      return send(ex, 200, "application/json; charset=utf-8", Json.write(m));
    } catch (SQLException e) {
      throw Errors.fromSql(e);
    }
  }

  private int importCsv(HttpExchange ex, String tenant, String table, Principal p) throws ApiException, IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      throw new ApiException(405, "PGRST117", "Unsupported HTTP method: " + ex.getRequestMethod() + " (use POST)");
    }
    if (!p.mayWrite()) {
      throw new ApiException(403, "42501", "permission denied for table " + table, null,
          "the token's role may only read");
    }
    String cl = ex.getRequestHeaders().getFirst("Content-Length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > config.importMaxBytes()) {
          throw tooLarge(config.importMaxBytes());
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid Content-Length");
      }
    }
    importer.claim(tenant);
    try (TenantHandle h = acquire(tenants, tenant)) {
      CappedInput in = new CappedInput(ex.getRequestBody(), config.importMaxBytes());
      CsvImporter.Result r;
      try {
        r = importer.importCsv(h, table, in);
      } catch (IOException e) {
        if (in.exceeded) {
          throw tooLarge(config.importMaxBytes());
        }
        throw e;
      } catch (SQLException e) {
        throw Errors.fromSql(e);
      }
      LOG.log(Level.INFO, "runnel-server [{0}] imported {1} rows into {2} in {3} ms, replicated at TxId {4}", tenant,
          Long.toString(r.rows()), table, Long.toString(r.millis()), r.txid());
      metrics.event(tenant, "import", r.rows() + " rows into " + table + " in " + r.millis() + " ms");
      ex.getResponseHeaders().set("Runnel-Txid", r.txid().toString());
      return send(ex, 200, "application/json; charset=utf-8", Json.write(CsvImporter.toJson(r)));
    } finally {
      importer.release(tenant);
    }
  }

  private static int send(HttpExchange ex, RestApi.Response r) throws IOException {
    r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    boolean head = ex.getRequestMethod().equals("HEAD");
    if (r.body() == null || head || r.status() == 204) {
      ex.sendResponseHeaders(r.status(), -1);
    } else {
      ex.sendResponseHeaders(r.status(), r.body().length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(r.body());
      }
    }
    return r.status();
  }

  private static int send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }
    return status;
  }

  private static void sendError(HttpExchange ex, ApiException e) {
    try {
      e.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      send(ex, e.status(), "application/json; charset=utf-8", e.toJson());
    } catch (IOException | RuntimeException ignored) {
      // The client went away, or headers were already sent.
    }
  }

  int inFlight() {
    return inFlight.get();
  }

  long startedAt() {
    return startedAt;
  }

  boolean importRunning(String tenant) {
    return importer.running(tenant);
  }
}
