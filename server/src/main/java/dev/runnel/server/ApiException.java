package dev.runnel.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered as PostgREST does: an HTTP status and a JSON body
 * {@code {"code","message","details","hint"}}. Messages never contain tokens or secrets.
 */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String details;
  private final String hint;
  private final transient Map<String, String> headers = new LinkedHashMap<>();

  public ApiException(int status, String code, String message, String details, String hint) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.hint = hint;
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, null, null);
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "PGRST100", message);
  }

  static ApiException badRequest(String message, String details) {
    return new ApiException(400, "PGRST100", message, details, null);
  }

  static ApiException noColumn(String table, String column) {
    return new ApiException(400, "42703", "column " + table + "." + column + " does not exist", null, null);
  }

  ApiException header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String details() {
    return details;
  }

  public String hint() {
    return hint;
  }

  Map<String, String> headers() {
    return headers;
  }

  String toJson() {
    Map<String, Object> m = Json.object();
    m.put("code", code);
    m.put("message", getMessage());
    m.put("details", details);
    m.put("hint", hint);
    return Json.write(m);
  }
}
