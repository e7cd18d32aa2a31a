package dev.runnel.cli;

import dev.runnel.config.DbConfig;
import dev.runnel.config.DbSource;
import dev.runnel.config.RunnelConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runnel databases}: the configured databases and their replicas (no secrets). */
@Command(name = "databases", description = "List configured databases: path, replica type and URL (no secrets).")
public final class DatabasesCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Option(names = {"-json", "--json"}, description = "JSON output.") boolean json;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RunnelConfig cfg = config.load(spec.commandLine().getErr());
    List<Object> rows = new ArrayList<>();
    if (!json) {
      out.printf("%-40s  %-6s  %s%n", "path", "type", "replica");
    }
    for (DbConfig db : cfg.dbs()) {
      Map<String, Object> o = Json.object();
      String path;
      if (db.source() instanceof DbSource.Directory d) {
        path = d.dir() + "/" + d.pattern();
        o.put("path", d.dir().toString());
        o.put("dir", d.dir().toString());
        o.put("pattern", d.pattern());
        o.put("recursive", d.recursive());
        o.put("watch", d.watch());
      } else {
        path = db.path().orElseThrow().toString();
        o.put("path", path);
      }
      o.put("replica_type", db.replica().type());
      o.put("replica", DbSpec.describe(db.replica()));
      rows.add(o);
      if (!json) {
        out.printf("%-40s  %-6s  %s%n", path, db.replica().type(), DbSpec.describe(db.replica()));
      }
    }
    if (json) {
      out.println(Json.write(rows));
    }
    out.flush();
    return 0;
  }
}
