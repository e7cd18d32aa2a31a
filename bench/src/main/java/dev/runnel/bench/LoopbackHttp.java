package dev.runnel.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection with a blocking request/response cycle: the lightest JVM
 * client there is (no selector thread, no handoffs), so a benchmark on a 2-core machine measures the
 * server rather than the client, and "N connections" means exactly N sockets. Understands
 * {@code Content-Length} and chunked bodies. Not thread-safe: one per worker.
 */
final class LoopbackHttp implements AutoCloseable {
  /** A response: status and body as UTF-8 text. */
  record Response(int status, String body) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String host;

  LoopbackHttp(String host, int port) throws IOException {
    this.socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = socket.getOutputStream();
    this.host = host + ":" + port;
  }

  /** Sends one request ({@code body} null for none) and reads the whole response. */
  Response send(String method, String pathAndQuery, String contentType, byte[] body) throws IOException {
    StringBuilder h = new StringBuilder(256).append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\nHost: ")
        .append(host).append("\r\n");
    if (body != null) {
      h.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    String status = line();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
      throw new IOException("bad status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String l = line(); !l.isEmpty(); l = line()) {
      String lower = l.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(l.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (method.equals("HEAD") || code == 204 || code == 304) {
      return new Response(code, "");
    } else if (chunked) {
      for (int n = Integer.parseInt(line().split(";")[0].trim(), 16); n > 0;
          n = Integer.parseInt(line().split(";")[0].trim(), 16)) {
        b.write(in.readNBytes(n));
        line();
      }
      line();
    } else if (length > 0) {
      b.write(in.readNBytes((int) length));
    }
    return new Response(code, b.toString(StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed by the server");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
