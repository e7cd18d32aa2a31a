package dev.runnel.cli;

import dev.runnel.server.RunnelServer;
import dev.runnel.server.ServerConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runnel serve}: the REST API over per-tenant databases (routes {@code /t/{tenant}/{table}}),
 * CSV import, status page at {@code /}, {@code /metrics}. With no flags it serves tenants from
 * {@code ./runnel-data/tenants}, replicated to {@code ./runnel-data/replica}, on 127.0.0.1:3000.
 * Every flag has an environment mirror; secrets come only from the environment.
 */
@Command(name = "serve", description = {
    "Serve a PostgREST-style REST API over per-tenant SQLite databases, replicated while hot.",
    "",
    "Routes: /t/{tenant}/{table} (GET HEAD POST PATCH DELETE), /t/{tenant}/{table}/import (CSV),",
    "/ (status page), /metrics, /healthz, /readyz. Stops gracefully on SIGINT/SIGTERM: in-flight",
    "requests finish, every tenant is synced to its replica.",
    "",
    "JWT auth is on when RUNNEL_JWT_SECRET (HS256) or -jwt-public-key (RS256) is given."})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = {"-addr", "--addr"}, paramLabel = "HOST:PORT",
      description = "Listen address (default 127.0.0.1:3000; env RUNNEL_ADDR).") String addr;
  @Option(names = {"-data", "--data"}, paramLabel = "DIR",
      description = "Data directory (default ./runnel-data; env RUNNEL_DATA).") Path data;
  @Option(names = {"-replica", "--replica"}, paramLabel = "URL",
      description = "Replica base URL; tenant X lives at URL/X (default file://DATA/replica; env RUNNEL_REPLICA).")
  String replica;
  @Option(names = {"-schema", "--schema"}, paramLabel = "FILE",
      description = "SQL run once for each brand-new tenant (env RUNNEL_SCHEMA).") Path schema;
  @Option(names = {"-tables", "--tables"}, paramLabel = "T1,T2",
      description = "Tables exposed through the API (default: all user tables; env RUNNEL_TABLES).") String tables;
  @Option(names = {"-jwt-public-key", "--jwt-public-key"}, paramLabel = "PEM_FILE",
      description = "RS256 public key for bearer tokens (env RUNNEL_JWT_PUBLIC_KEY).") Path jwtPublicKey;
  @Spec CommandSpec spec;

  /** The environment; tests replace it. */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    ServerConfig c = config();
    RunnelServer server = RunnelServer.start(c);
    // SIGINT/SIGTERM close the server gracefully (in-flight requests finish, every tenant is synced)
    // and the command then exits 0, rather than the JVM's 130/143.
    try (Signals.Registration reg = Signals.install(sig -> new Thread(server::close, "runnel-serve-stop").start())) {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("runnel: serving %s (tenants in %s, replica %s)%n", server.baseUri(),
          c.dataDir().toAbsolutePath().normalize(), c.effectiveReplicaBase());
      out.flush();
      server.awaitShutdown();
    }
    return 0;
  }

  ServerConfig config() throws Exception {
    ServerConfig c = ServerConfig.defaults();
    String a = pick(addr, "RUNNEL_ADDR");
    if (a != null) {
      int colon = a.lastIndexOf(':');
      if (colon < 0) {
        throw new CliException("invalid -addr '" + a + "': expected HOST:PORT", "runnel serve -addr 127.0.0.1:3000");
      }
      try {
        c = c.withBind(a.substring(0, colon).isEmpty() ? "0.0.0.0" : a.substring(0, colon),
            Integer.parseInt(a.substring(colon + 1)));
      } catch (IllegalArgumentException e) {
        throw new CliException("invalid -addr '" + a + "': " + e.getMessage(), "runnel serve -addr 127.0.0.1:3000");
      }
    }
    String d = data != null ? data.toString() : env.get("RUNNEL_DATA");
    if (d != null) {
      c = c.withDataDir(Path.of(d));
    }
    String r = pick(replica, "RUNNEL_REPLICA");
    if (r != null) {
      c = c.withReplicaBase(r);
    }
    String s = schema != null ? schema.toString() : env.get("RUNNEL_SCHEMA");
    if (s != null) {
      c = c.withTenantSchema(Files.readString(Path.of(s), StandardCharsets.UTF_8));
    }
    String t = pick(tables, "RUNNEL_TABLES");
    if (t != null) {
      c = c.withExposedTables(new HashSet<>(Arrays.asList(t.split("\\s*,\\s*"))));
    }
    String secret = env.get("RUNNEL_JWT_SECRET");
    String pem = jwtPublicKey != null ? jwtPublicKey.toString() : env.get("RUNNEL_JWT_PUBLIC_KEY");
    if (secret != null && !secret.isEmpty()) {
      c = c.withJwt(ServerConfig.JwtConfig.hs256(secret.getBytes(StandardCharsets.UTF_8)));
    } else if (pem != null) {
      c = c.withJwt(ServerConfig.JwtConfig.rs256(Files.readString(Path.of(pem), StandardCharsets.US_ASCII)));
    }
    return c;
  }

  private String pick(String flag, String envName) {
    return flag != null ? flag : env.get(envName);
  }
}
