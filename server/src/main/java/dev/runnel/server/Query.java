package dev.runnel.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The PostgREST query language of one request, parsed from the URL's parameters and checked
 * against a {@link TableSchema}, and its translation to SQLite SQL with bound parameters.
 *
 * <p>Supported: horizontal filters {@code col=[not.]op.value} with {@code eq neq gt gte lt lte like
 * ilike in is}; {@code or=(...)}, {@code and=(...)}, {@code not.or}, {@code not.and}, nested;
 * {@code select} with {@code alias:col} and {@code ::cast}; {@code order}; {@code limit},
 * {@code offset}; {@code on_conflict}; {@code columns}. Anything else is a 400 naming it.
 */
final class Query {
  /** Parameters that are not filters. */
  static final Set<String> RESERVED = Set.of("select", "order", "limit", "offset", "on_conflict", "columns", "or",
      "and", "not.or", "not.and");

  record SelectItem(String key, TableSchema.Column column, String cast) {}

  record Order(TableSchema.Column column, boolean desc, boolean nullsFirst) {}

  sealed interface Filter permits Cond, Group {}

  record Cond(TableSchema.Column column, String op, boolean negated, List<String> values) implements Filter {}

  record Group(boolean or, boolean negated, List<Filter> children) implements Filter {}

  final TableSchema table;
  final List<SelectItem> select = new ArrayList<>();
  final List<Filter> filters = new ArrayList<>();
  final List<Order> order = new ArrayList<>();
  Long limit;
  long offset;
  boolean hasOffset;
  List<String> onConflict;
  List<String> columns;

  private Query(TableSchema table) {
    this.table = table;
  }

  /** Parses and checks every parameter. */
  static Query parse(TableSchema table, List<Map.Entry<String, String>> params) throws ApiException {
    Query q = new Query(table);
    String select = null;
    for (Map.Entry<String, String> p : params) {
      String k = p.getKey();
      String v = p.getValue();
      switch (k) {
        case "select" -> select = v;
        case "order" -> q.parseOrder(v);
        case "limit" -> q.limit = nonNegative("limit", v);
        case "offset" -> {
          q.offset = nonNegative("offset", v);
          q.hasOffset = true;
        }
        case "on_conflict" -> {
          q.onConflict = new ArrayList<>();
          for (String c : splitTop(v, ',')) {
            q.onConflict.add(table.column(unquoteIdent(c.trim())).name());
          }
        }
        case "columns" -> {
          q.columns = new ArrayList<>();
          for (String c : splitTop(v, ',')) {
            String name = unquoteIdent(c.trim());
            if (!table.columns.containsKey(name)) {
              throw new ApiException(400, "PGRST204",
                  "Could not find the '" + name + "' column of '" + table.name + "' in the schema cache");
            }
            if (!q.columns.contains(name)) {
              q.columns.add(name);
            }
          }
        }
        case "or", "and", "not.or", "not.and" -> {
          boolean neg = k.startsWith("not.");
          boolean or = k.endsWith("or");
          if (!v.startsWith("(") || !v.endsWith(")")) {
            throw ApiException.badRequest("\"failed to parse logic tree (" + v + ")\"",
                "expected a parenthesized list, e.g. or=(a.eq.1,b.eq.2)");
          }
          q.filters.add(new Group(or, neg, q.parseLogicList(v.substring(1, v.length() - 1), 0)));
        }
        default -> q.filters.add(q.parseCond(unquoteIdent(k), v, false));
      }
    }
    q.parseSelect(select);
    return q;
  }

  private static long nonNegative(String what, String v) throws ApiException {
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw ApiException.badRequest("\"failed to parse " + what + " parameter (" + v + ")\"",
        what + " must be a non-negative integer");
  }

  /** Strips double quotes around an identifier ({@code "my col"}), unescaping {@code ""} and {@code \"}. */
  static String unquoteIdent(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\"\"", "\"");
    }
    return s;
  }

  // ------------------------------------------------------------------------------- select

  private void parseSelect(String s) throws ApiException {
    if (s == null || s.isBlank()) {
      s = "*";
    }
    for (String raw : splitTop(s, ',')) {
      String item = raw.trim();
      if (item.isEmpty()) {
        throw ApiException.badRequest("\"failed to parse select parameter (" + s + ")\"", "empty item in select");
      }
      if (item.contains("(") || item.contains("->") || item.contains("!")) {
        throw ApiException.badRequest("\"failed to parse select parameter (" + s + ")\"",
            "resource embedding, JSON paths and aggregates are not supported by Runnel: select columns of one table");
      }
      if (item.equals("*")) {
        for (TableSchema.Column c : table.columns.values()) {
          select.add(new SelectItem(c.name(), c, null));
        }
        continue;
      }
      String alias = null;
      int colon = indexOfUnquoted(item, ':');
      if (colon >= 0 && !(colon + 1 < item.length() && item.charAt(colon + 1) == ':')) {
        alias = unquoteIdent(item.substring(0, colon).trim());
        item = item.substring(colon + 1).trim();
      }
      String cast = null;
      int cc = item.lastIndexOf("::");
      if (cc >= 0 && !item.endsWith("\"")) {
        cast = castType(item.substring(cc + 2).trim());
        item = item.substring(0, cc).trim();
      }
      TableSchema.Column col = table.column(unquoteIdent(item));
      select.add(new SelectItem(alias != null && !alias.isEmpty() ? alias : col.name(), col, cast));
    }
  }

  private static int indexOfUnquoted(String s, char c) {
    boolean q = false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"') {
        q = !q;
      } else if (ch == c && !q) {
        return i;
      }
    }
    return -1;
  }

  private static String castType(String t) throws ApiException {
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "text", "varchar", "char" -> "TEXT";
      case "int", "int2", "int4", "int8", "integer", "bigint", "smallint" -> "INTEGER";
      case "real", "float", "float4", "float8", "double precision" -> "REAL";
      case "numeric", "decimal" -> "NUMERIC";
      default -> throw ApiException.badRequest("\"failed to parse select parameter\"",
          "unsupported cast ::" + t + " (supported: text, integer, bigint, real, float8, numeric)");
    };
  }

  // ------------------------------------------------------------------------------- order

  private void parseOrder(String s) throws ApiException {
    for (String raw : splitTop(s, ',')) {
      String item = raw.trim();
      String[] parts = splitOrderItem(item);
      TableSchema.Column col = table.column(unquoteIdent(parts[0]));
      boolean desc = false;
      Boolean nullsFirst = null;
      for (int i = 1; i < parts.length; i++) {
        switch (parts[i]) {
          case "asc" -> desc = false;
          case "desc" -> desc = true;
          case "nullsfirst" -> nullsFirst = true;
          case "nullslast" -> nullsFirst = false;
          default -> throw ApiException.badRequest("\"failed to parse order (" + s + ")\"",
              "unexpected \"" + parts[i] + "\"; expected asc, desc, nullsfirst or nullslast");
        }
      }
      // PostgreSQL's defaults: NULLS LAST for ascending, NULLS FIRST for descending.
      order.add(new Order(col, desc, nullsFirst != null ? nullsFirst : desc));
    }
  }

  private static String[] splitOrderItem(String item) {
    if (item.startsWith("\"")) {
      int end = item.indexOf('"', 1);
      while (end > 0 && end + 1 < item.length() && item.charAt(end + 1) == '"') {
        end = item.indexOf('"', end + 2);
      }
      if (end > 0) {
        String name = item.substring(0, end + 1);
        String rest = item.substring(end + 1);
        List<String> parts = new ArrayList<>();
        parts.add(name);
        for (String p : rest.split("\\.")) {
          if (!p.isEmpty()) {
            parts.add(p);
          }
        }
        return parts.toArray(new String[0]);
      }
    }
    return item.split("\\.", -1);
  }

  // ------------------------------------------------------------------------------- filters

  private static final Set<String> OPS = Set.of("eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "in", "is");

  private Cond parseCond(String column, String v, boolean inLogic) throws ApiException {
    TableSchema.Column col = table.column(column);
    boolean neg = false;
    String rest = v;
    if (rest.startsWith("not.")) {
      neg = true;
      rest = rest.substring(4);
    }
    int dot = rest.indexOf('.');
    if (dot < 0) {
      throw ApiException.badRequest("\"failed to parse filter (" + v + ")\"",
          "expected OPERATOR.VALUE, e.g. eq.5; operators: eq, neq, gt, gte, lt, lte, like, ilike, in, is");
    }
    String op = rest.substring(0, dot);
    String val = rest.substring(dot + 1);
    if (!OPS.contains(op)) {
      throw ApiException.badRequest("\"failed to parse filter (" + v + ")\"",
          "unknown or unsupported operator \"" + op + "\"; supported: eq, neq, gt, gte, lt, lte, like, ilike, in, is");
    }
    List<String> values = new ArrayList<>();
    switch (op) {
      case "in" -> {
        if (!val.startsWith("(") || !val.endsWith(")")) {
          throw ApiException.badRequest("\"failed to parse filter (" + v + ")\"", "in expects a list: in.(a,b,c)");
        }
        String inner = val.substring(1, val.length() - 1);
        if (!inner.isEmpty()) {
          for (String item : splitTop(inner, ',')) {
            values.add(unquoteValue(item));
          }
        }
      }
      case "is" -> {
        String lv = val.toLowerCase(Locale.ROOT);
        if (!Set.of("null", "true", "false", "unknown").contains(lv)) {
          throw ApiException.badRequest("\"failed to parse filter (" + v + ")\"",
              "is expects null, true, false or unknown");
        }
        values.add(lv);
      }
      default -> values.add(inLogic ? unquoteValue(val) : val);
    }
    return new Cond(col, op, neg, values);
  }

  /** Removes double quotes around a value in a list or logic tree ({@code "a,b"}), unescaping {@code \"} and {@code \\}. */
  private static String unquoteValue(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i < s.length() - 1; i++) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length() - 1) {
          sb.append(s.charAt(++i));
        } else {
          sb.append(c);
        }
      }
      return sb.toString();
    }
    return s;
  }

  private List<Filter> parseLogicList(String s, int depth) throws ApiException {
    if (depth > 16) {
      throw ApiException.badRequest("\"failed to parse logic tree\"", "nested deeper than 16 levels");
    }
    List<Filter> out = new ArrayList<>();
    for (String raw : splitTop(s, ',')) {
      String item = raw.trim();
      boolean neg = false;
      String body = item;
      if (body.startsWith("not.")) {
        neg = true;
        body = body.substring(4);
      }
      if ((body.startsWith("and(") || body.startsWith("or(")) && body.endsWith(")")) {
        boolean or = body.startsWith("or(");
        String inner = body.substring(or ? 3 : 4, body.length() - 1);
        out.add(new Group(or, neg, parseLogicList(inner, depth + 1)));
        continue;
      }
      int dot = item.indexOf('.');
      if (item.startsWith("\"")) {
        int end = item.indexOf('"', 1);
        dot = end < 0 ? -1 : item.indexOf('.', end);
      }
      if (dot <= 0) {
        throw ApiException.badRequest("\"failed to parse logic tree (" + s + ")\"",
            "expected COLUMN.OPERATOR.VALUE, and(...) or or(...), found \"" + item + "\"");
      }
      out.add(parseCond(unquoteIdent(item.substring(0, dot)), item.substring(dot + 1), true));
    }
    if (out.isEmpty()) {
      throw ApiException.badRequest("\"failed to parse logic tree (" + s + ")\"", "empty logic tree");
    }
    return out;
  }

  /** Splits at {@code sep} outside double quotes and parentheses. */
  static List<String> splitTop(String s, char sep) throws ApiException {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth < 0) {
          throw ApiException.badRequest("\"failed to parse (" + s + ")\"", "unbalanced parentheses");
        }
      } else if (c == sep && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    if (quoted || depth != 0) {
      throw ApiException.badRequest("\"failed to parse (" + s + ")\"", "unbalanced quotes or parentheses");
    }
    out.add(s.substring(start));
    return out;
  }

  // ------------------------------------------------------------------------------- SQL

  /** Appends {@code WHERE ...} (or nothing) for the filters. */
  void where(StringBuilder sql, List<Object> args) {
    if (filters.isEmpty()) {
      return;
    }
    sql.append(" WHERE ");
    group(sql, args, new Group(false, false, filters));
  }

  private static void group(StringBuilder sql, List<Object> args, Group g) {
    if (g.negated()) {
      sql.append("NOT ");
    }
    sql.append('(');
    for (int i = 0; i < g.children().size(); i++) {
      if (i > 0) {
        sql.append(g.or() ? " OR " : " AND ");
      }
      Filter f = g.children().get(i);
      if (f instanceof Group sub) {
        group(sql, args, sub);
      } else {
        cond(sql, args, (Cond) f);
      }
    }
    sql.append(')');
  }

  private static void cond(StringBuilder sql, List<Object> args, Cond c) {
    String col = TableSchema.quote(c.column().name());
    if (c.negated()) {
      sql.append("NOT ");
    }
    sql.append('(');
    switch (c.op()) {
      case "eq" -> bin(sql, args, col, "=", c);
      case "neq" -> bin(sql, args, col, "<>", c);
      case "gt" -> bin(sql, args, col, ">", c);
      case "gte" -> bin(sql, args, col, ">=", c);
      case "lt" -> bin(sql, args, col, "<", c);
      case "lte" -> bin(sql, args, col, "<=", c);
      case "like" -> {
        sql.append(col).append(" GLOB ?");
        args.add(likeToGlob(c.values().get(0), false));
      }
      case "ilike" -> {
        sql.append(col).append(" GLOB ?");
        args.add(likeToGlob(c.values().get(0), true));
      }
      case "in" -> {
        if (c.values().isEmpty()) {
          sql.append("0");
        } else {
          sql.append(col).append(" IN (");
          for (int i = 0; i < c.values().size(); i++) {
            sql.append(i == 0 ? "?" : ",?");
            args.add(bindFilterValue(c.column(), c.values().get(i)));
          }
          sql.append(')');
        }
      }
      case "is" -> {
        switch (c.values().get(0)) {
          case "true" -> sql.append(col).append(" IS TRUE");
          case "false" -> sql.append(col).append(" IS FALSE");
          default -> sql.append(col).append(" IS NULL");
        }
      }
      default -> throw new IllegalStateException(c.op());
    }
    sql.append(')');
  }

  private static void bin(StringBuilder sql, List<Object> args, String col, String op, Cond c) {
    sql.append(col).append(' ').append(op).append(" ?");
    args.add(bindFilterValue(c.column(), c.values().get(0)));
  }

  /** A URL value as a bound parameter: booleans for boolean columns become 1/0; the rest binds as text. */
  static Object bindFilterValue(TableSchema.Column col, String v) {
    if (col.isBoolean()) {
      String l = v.toLowerCase(Locale.ROOT);
      if (l.equals("true") || l.equals("t")) {
        return 1L;
      }
      if (l.equals("false") || l.equals("f")) {
        return 0L;
      }
    }
    return v;
  }

  /**
   * Translates a PostgreSQL LIKE pattern as PostgREST receives it ({@code *} or {@code %} for any
   * run, {@code _} for one character, {@code \} escaping the next character) into an SQLite GLOB
   * pattern, which is always case-sensitive; for ILIKE every cased character becomes a bracket of
   * its case variants ({@code a} becomes {@code [aA]}), so matching is case-insensitive for all of
   * Unicode's simple case mappings, not only ASCII.
   */
  static String likeToGlob(String pattern, boolean caseInsensitive) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pattern.length(); ) {
      int cp = pattern.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\\' && i < pattern.length()) {
        int lit = pattern.codePointAt(i);
        i += Character.charCount(lit);
        literal(sb, lit, caseInsensitive);
      } else if (cp == '*' || cp == '%') {
        sb.append('*');
      } else if (cp == '_') {
        sb.append('?');
      } else {
        literal(sb, cp, caseInsensitive);
      }
    }
    return sb.toString();
  }

  private static void literal(StringBuilder sb, int cp, boolean ci) {
    if (cp == '*' || cp == '?' || cp == '[') {
      sb.append('[').appendCodePoint(cp).append(']');
      return;
    }
    if (ci) {
      // Case-insensitive as PostgreSQL's ILIKE: characters whose lower case is the same match.
      int lower = Character.toLowerCase(cp);
      java.util.LinkedHashSet<Integer> variants = new java.util.LinkedHashSet<>();
      for (int v : new int[] {cp, lower, Character.toUpperCase(cp), Character.toTitleCase(cp),
          Character.toUpperCase(lower), Character.toTitleCase(lower), 0x212A /* Kelvin sign */}) {
        if (Character.toLowerCase(v) == lower && v != ']' && v != '^' && v != '-') {
          variants.add(v);
        }
      }
      if (variants.size() > 1) {
        sb.append('[');
        for (int v : variants) {
          sb.appendCodePoint(v);
        }
        sb.append(']');
        return;
      }
    }
    sb.appendCodePoint(cp);
  }

}
