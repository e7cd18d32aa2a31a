package dev.runnel.tenant;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Random;

/**
 * A separate JVM for the multi-process tests.
 *
 * <ul>
 *   <li>{@code crash <cache> <replicaBase> <ackFile> <seed> <tenants>}: writes rows with ids
 *       1, 2, ... into random tenants; after a {@code sync()} appends {@code <tenant> <id>} for
 *       every row of that tenant so far to the ack file (fsynced). Runs until killed.</li>
 *   <li>{@code lease <cache> <replicaBase> <holder>}: for each stdin line {@code <tenant>}, tries
 *       to acquire it and prints {@code <tenant> won} or {@code <tenant> busy}; keeps won tenants
 *       hot. Exits on end of input.</li>
 * </ul>
 */
public final class TenantChild {
  public static void main(String[] args) throws Exception {
    TenantOptions o = TenantOptions.defaults()
        .withLeaseTtl(Duration.ofSeconds(Long.parseLong(System.getProperty("ttl", "30"))))
        .withReplication(TenantTesting.fastOptions().replication());
    switch (args[0]) {
      case "crash" -> crash(args, o);
      case "lease" -> lease(args, o);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void crash(String[] args, TenantOptions o) throws Exception {
    Random rnd = new Random(Long.parseLong(args[4]));
    int tenants = Integer.parseInt(args[5]);
    long[] next = new long[tenants];
    try (TenantDatabases m = TenantDatabases.builder().replicaBase(args[2]).cacheDirectory(Path.of(args[1]))
        .options(o).schemaInitializer(TenantTesting.SCHEMA).build();
        FileChannel ack = FileChannel.open(Path.of(args[3]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      for (int t = 0; t < tenants; t++) {
        m.acquire("crash-" + t).close(); // all hot
        next[t] = 1;
      }
      System.out.println("ready");
      System.out.flush();
      while (true) {
        int t = rnd.nextInt(tenants);
        try (TenantHandle h = m.acquire("crash-" + t)) {
          int batch = 1 + rnd.nextInt(5);
          try (Connection c = h.writer();
              PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, v) VALUES (?, ?)")) {
            c.setAutoCommit(batch == 1);
            for (int i = 0; i < batch; i++) {
              ps.setLong(1, next[t]++);
              ps.setString(2, "x".repeat(rnd.nextInt(300)));
              ps.executeUpdate();
            }
            if (batch > 1) {
              c.commit();
            }
          }
          if (rnd.nextInt(4) == 0) {
            h.sync();
            ack.write(ByteBuffer.wrap(("crash-" + t + " " + (next[t] - 1) + "\n").getBytes(StandardCharsets.US_ASCII)));
            ack.force(true);
          }
        }
      }
    }
  }

  private static void lease(String[] args, TenantOptions o) throws Exception {
    try (TenantDatabases m = TenantDatabases.builder().replicaBase(args[2]).cacheDirectory(Path.of(args[1]))
        .holderId(args[3]).options(o).schemaInitializer(TenantTesting.SCHEMA).build()) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String tenant = line.trim();
        String result;
        try (TenantHandle h = m.acquire(tenant)) {
          TenantTesting.insert(h, "child");
          result = "won";
        } catch (TenantBusyException e) {
          result = "busy";
        }
        System.out.println(tenant + " " + result);
        System.out.flush();
      }
    }
  }
}
