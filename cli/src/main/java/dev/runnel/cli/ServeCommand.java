package dev.runnel.cli;

import dev.runnel.config.ConfigException;
import dev.runnel.config.ConfigLoader;
import dev.runnel.config.LoadContext;
import dev.runnel.config.ServeFile;
import dev.runnel.server.RunnelServer;
import dev.runnel.server.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runnel serve}: the REST API over per-tenant databases (routes {@code /t/{tenant}/{table}}),
 * CSV import, status page at {@code /}, {@code /metrics}. Settings come from flags, then environment
 * variables, then the config file ({@code -config F} or {@code $RUNNEL_CONFIG}), then defaults
 * ({@link ServeSettings}). With nothing configured it serves tenants from {@code ./runnel-data/tenants},
 * replicated to {@code ./runnel-data/replica}, on 127.0.0.1:3000, anonymous access for loopback
 * clients only, and new tenants get an example table.
 */
@Command(name = "serve", description = {
    "Serve a PostgREST-style REST API over per-tenant SQLite databases, replicated while hot.",
    "",
    "Routes: /t/{tenant}/{table} (GET HEAD POST PATCH DELETE), /t/{tenant}/{table}/import (CSV),",
    "/ (status page), /metrics, /healthz, /readyz. Stops gracefully on SIGINT/SIGTERM: in-flight",
    "requests finish, every tenant is synced to its replica.",
    "",
    "Precedence: flags, then environment variables, then the config file, then defaults.",
    "JWT auth is on when a secret (RUNNEL_JWT_SECRET, RUNNEL_JWT_SECRET_FILE, -jwt-secret-file,",
    "auth.jwt-secret[-file]) or an RS256 public key is configured. Without one, only loopback",
    "clients are served (others get 401) unless the config file sets auth.remote-anonymous: true.",
    "With no config file, no schema and the default replica, new tenants get the example table",
    "notes (id, body, created_at)."})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = {"-config", "--config"}, paramLabel = "FILE",
      description = "Serve config file (YAML, see docs/runnel-serve.example.yml; env RUNNEL_CONFIG).")
  String configPath;
  @Option(names = {"-no-expand-env", "--no-expand-env"},
      description = "Do not expand $VAR and $${VAR} in the config file.") boolean noExpandEnv;
  @Option(names = {"-addr", "--addr"}, paramLabel = "HOST:PORT",
      description = "Listen address (default 127.0.0.1:3000; env RUNNEL_ADDR; file addr).") String addr;
  @Option(names = {"-data", "--data"}, paramLabel = "DIR",
      description = "Data directory (default ./runnel-data; env RUNNEL_DATA; file data).") Path data;
  @Option(names = {"-replica", "--replica"}, paramLabel = "URL",
      description = "Replica base URL; tenant X lives at URL/X (default file://DATA/replica; env RUNNEL_REPLICA).")
  String replica;
  @Option(names = {"-schema", "--schema"}, paramLabel = "FILE",
      description = "SQL run once for each brand-new tenant (env RUNNEL_SCHEMA; file schema).") Path schema;
  @Option(names = {"-tables", "--tables"}, paramLabel = "T1,T2",
      description = "Tables exposed through the API (default: all user tables; env RUNNEL_TABLES).") String tables;
  @Option(names = {"-jwt-secret-file", "--jwt-secret-file"}, paramLabel = "FILE",
      description = "File holding the HS256 secret, at least 32 bytes (env RUNNEL_JWT_SECRET_FILE; "
          + "or the secret itself in RUNNEL_JWT_SECRET).") Path jwtSecretFile;
  @Option(names = {"-jwt-public-key", "--jwt-public-key"}, paramLabel = "PEM_FILE",
      description = "RS256 public key for bearer tokens (env RUNNEL_JWT_PUBLIC_KEY).") Path jwtPublicKey;
  @Spec CommandSpec spec;

  /** The environment; tests replace it. */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    ServeSettings settings = settings();
    ServerConfig c = settings.config();
    RunnelServer server;
    try {
      server = RunnelServer.start(c);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), "runnel serve --help");
    }
    // SIGINT/SIGTERM close the server gracefully (in-flight requests finish, every tenant is synced)
    // and the command then exits 0, rather than the JVM's 130/143.
    try (Signals.Registration reg = Signals.install(sig -> new Thread(server::close, "runnel-serve-stop").start())) {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("runnel: serving %s (tenants in %s, replica %s)%n", server.baseUri(),
          c.dataDir().toAbsolutePath().normalize().resolve("tenants"), c.effectiveReplicaBase());
      if (settings.exampleSchema()) {
        String base = "http://" + (c.bindAddress().equals("0.0.0.0") || c.bindAddress().equals("::")
            ? "127.0.0.1" : server.address().getHostString()) + ":" + server.port();
        out.printf("runnel: no config: new tenants get the example table notes (id, body, created_at). Try:%n"
            + "  curl -X POST %s/t/demo/notes -H 'Content-Type: application/json' -d '{\"body\":\"hello\"}'%n"
            + "  curl '%s/t/demo/notes?select=id,body'%n", base, base);
      }
      out.flush();
      server.awaitShutdown();
    }
    return 0;
  }

  /** Resolves flags, environment, config file and defaults; nothing is started. */
  ServeSettings settings() throws CliException {
    String file = configPath != null && !configPath.isEmpty() ? configPath : env.get("RUNNEL_CONFIG");
    ServeFile f = ServeFile.EMPTY;
    if (file != null && !file.isEmpty()) {
      LoadContext ctx = new LoadContext(env, ProcessHandle.current().pid(),
          Path.of(System.getProperty("user.dir")), Path.of(System.getProperty("user.home")));
      try {
        f = new ConfigLoader(ctx).loadServe(file, !noExpandEnv);
      } catch (ConfigException e) {
        throw new CliException(String.join("\n       ", e.problems()),
            "fix the config file (example: docs/runnel-serve.example.yml)");
      }
      PrintWriter err = spec == null ? null : spec.commandLine().getErr();
      if (err != null) {
        f.warnings().forEach(err::println);
        err.flush();
      }
    }
    return ServeSettings.resolve(new ServeSettings.Flags(addr, data, replica, schema, tables, jwtSecretFile,
        jwtPublicKey), env, f, file != null && !file.isEmpty());
  }
}
