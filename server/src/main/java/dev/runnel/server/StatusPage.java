package dev.runnel.server;

import dev.runnel.replicate.ReplicationStatus;
import dev.runnel.tenant.TenantDatabases;
import dev.runnel.tenant.TenantInfo;
import dev.runnel.tenant.TenantMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The operator status page at {@code /}: one self-contained HTML document (inline CSS, no scripts, no external assets). */
final class StatusPage {
  private StatusPage() {}

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  static String render(RunnelServer server, TenantDatabases tenants, ServerMetrics metrics) {
    Instant now = Instant.now();
    TenantMetrics m = tenants.metrics();
    List<TenantInfo> infos = tenants.tenants().stream().sorted(Comparator.comparing(TenantInfo::tenantId)).toList();
    StringBuilder h = new StringBuilder(8192);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"10\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Runnel server status</title><style>")
        .append("body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f4f6f8;color:#1d2733}")
        .append("header{background:#12324a;color:#fff;padding:14px 24px;display:flex;align-items:baseline;gap:16px}")
        .append("header h1{font-size:20px;margin:0}header span{opacity:.8}")
        .append("main{padding:18px 24px}")
        .append(".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}")
        .append(".card{background:#fff;border-radius:8px;padding:12px 16px;min-width:130px;box-shadow:0 1px 3px rgba(0,0,0,.12)}")
        .append(".card b{display:block;font-size:24px;color:#12324a}.card small{color:#5b6b7b}")
        .append("h2{font-size:16px;margin:22px 0 8px}")
        .append("table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.12)}")
        .append("th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e8ee;white-space:nowrap}")
        .append("th{background:#e8eef4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}")
        .append(".ok{color:#177245;font-weight:600}.warn{color:#a35c00;font-weight:600}.bad{color:#b3261e;font-weight:600}")
        .append(".wrap{overflow-x:auto}.empty{color:#5b6b7b;font-style:italic;padding:10px}code{font-size:12px}")
        .append("</style></head><body>\n");
    h.append("<header><h1>Runnel server</h1><span>").append(esc(server.baseUri().toString()))
        .append("</span><span>up ").append(duration(Duration.ofMillis(System.currentTimeMillis() - server.startedAt())))
        .append("</span><span>").append(esc(TIME.format(now))).append("</span></header>\n<main>\n");
    h.append("<div class=\"cards\">");
    card(h, Integer.toString(m.hotTenants()), "hot tenants");
    card(h, Integer.toString(m.parkedTenants()), "parked");
    card(h, Integer.toString(m.startingTenants()), "starting");
    card(h, Long.toString(m.coldStarts()), "cold starts");
    card(h, Long.toString(m.tenantsCreated()), "tenants created");
    card(h, Long.toString(m.evictions().values().stream().mapToLong(Long::longValue).sum()), "evictions");
    card(h, Long.toString(m.leaseConflicts()), "lease conflicts");
    card(h, bytes(m.diskBytes()), "local disk");
    card(h, Long.toString(metrics.totalRequests()), "HTTP requests");
    card(h, Integer.toString(server.inFlight()), "in flight");
    h.append("</div>\n");
    h.append("<p>Replica: <code>").append(esc(server.config().effectiveReplicaBase())).append("</code></p>\n");

    h.append("<h2>Hot tenants</h2>\n");
    if (infos.isEmpty()) {
      h.append("<div class=\"empty\">No tenant is hot. Tenants are restored from the replica on their first request.</div>\n");
    } else {
      h.append("<div class=\"wrap\"><table id=\"tenants\"><thead><tr><th>tenant</th><th>state</th><th>replication</th><th>lag</th>")
          .append("<th>local TxId</th><th>replica TxId</th><th>last sync</th><th>last upload</th><th>db size</th>")
          .append("<th>disk</th><th>handles</th><th>hot since</th><th>last error</th></tr></thead><tbody>\n");
      for (TenantInfo t : infos) {
        Optional<ReplicationStatus> rs = t.replication();
        h.append("<tr><td>").append(esc(t.tenantId())).append("</td><td>").append(t.state().name().toLowerCase(Locale.ROOT))
            .append("</td>");
        if (rs.isPresent()) {
          ReplicationStatus s = rs.get();
          long lagS = s.lag().toSeconds();
          String cls = s.lastError().isPresent() ? "bad" : lagS > 300 ? "bad" : lagS > 10 ? "warn" : "ok";
          String word = s.lastError().isPresent() ? "error" : s.caughtUp() ? "caught up" : "behind";
          h.append("<td class=\"").append(cls).append("\">").append(word).append("</td>")
              .append("<td class=\"num\">").append(duration(s.lag())).append("</td>")
              .append("<td><code>").append(s.localTxId()).append("</code></td>")
              .append("<td><code>").append(s.replicatedTxId()).append("</code></td>")
              .append("<td>").append(ago(s.lastSyncAt(), now)).append("</td>")
              .append("<td>").append(ago(s.lastUploadAt(), now)).append("</td>")
              .append("<td class=\"num\">").append(bytes(s.dbSize())).append("</td>");
        } else {
          h.append("<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>");
        }
        h.append("<td class=\"num\">").append(bytes(t.diskBytes())).append("</td>")
            .append("<td class=\"num\">").append(t.openHandles()).append("</td>")
            .append("<td>").append(ago(t.hotSince(), now)).append("</td>")
            .append("<td>").append(esc(rs.flatMap(ReplicationStatus::lastError).orElse(""))).append("</td></tr>\n");
      }
      h.append("</tbody></table></div>\n");
    }
    h.append("<h2>Recent errors</h2>\n");
    events(h, metrics.recentErrors(), now, "errors", "No errors since start.");
    h.append("<h2>Recent events</h2>\n");
    events(h, metrics.recentEvents(), now, "events", "Nothing yet.");
    h.append("<p style=\"color:#5b6b7b\">Prometheus metrics: <a href=\"/metrics\">/metrics</a> · ")
        .append("<a href=\"/healthz\">/healthz</a> · <a href=\"/readyz\">/readyz</a> · refreshes every 10 s</p>\n");
    h.append("</main></body></html>\n");
    return h.toString();
  }

  private static void events(StringBuilder h, List<ServerMetrics.Event> list, Instant now, String id, String empty) {
    if (list.isEmpty()) {
      h.append("<div class=\"empty\" id=\"").append(id).append("\">").append(empty).append("</div>\n");
      return;
    }
    h.append("<table id=\"").append(id).append("\"><thead><tr><th>when</th><th>tenant</th><th>what</th><th>message</th>")
        .append("</tr></thead><tbody>\n");
    for (ServerMetrics.Event e : list) {
      h.append("<tr><td>").append(ago(Optional.of(e.at()), now)).append("</td><td>")
          .append(esc(e.tenant() == null ? "-" : e.tenant())).append("</td><td>").append(esc(e.what()))
          .append("</td><td style=\"white-space:normal\">").append(esc(e.message())).append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void card(StringBuilder h, String value, String label) {
    h.append("<div class=\"card\"><b>").append(esc(value)).append("</b><small>").append(esc(label))
        .append("</small></div>");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String ago(Optional<Instant> t, Instant now) {
    if (t.isEmpty()) {
      return "never";
    }
    Duration d = Duration.between(t.get(), now);
    return duration(d.isNegative() ? Duration.ZERO : d) + " ago";
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s < 1) {
      return d.toMillis() + " ms";
    }
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return (s / 60) + " min";
    }
    return (s / 3600) + " h";
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    if (n < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
    return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
  }
}
