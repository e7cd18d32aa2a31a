package dev.runnel.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads {@code litestream.yml} the way Litestream 0.5 does, with better messages.
 *
 * <ol>
 *   <li>Path: {@code -config}, else {@code LITESTREAM_CONFIG}, else {@value
 *       LoadContext#DEFAULT_CONFIG_PATH} ({@link #resolvePath}).
 *   <li>Unless {@code -no-expand-env}: the whole text is expanded with Go {@code os.Expand}
 *       semantics ({@link EnvExpander}), using the environment with Litestream's aliases applied.
 *   <li>YAML is composed into nodes so every key keeps its line. Unknown keys are warnings (Litestream
 *       ignores them silently); invalid values are errors naming key, line and what is expected.
 *       All errors are collected and thrown together as one {@link ConfigException}.
 *   <li>Defaults are applied, global inline replica keys are copied into every replica that does
 *       not set them, and the result is validated.
 * </ol>
 *
 * <p>{@code LOG_LEVEL} from the environment overrides {@code logging.level}; the CLI's
 * {@code -log-level} flag should override the result.
 */
public final class ConfigLoader {
  private final LoadContext context;

  public ConfigLoader(LoadContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /** A loader for the real process environment. */
  public static ConfigLoader system() {
    return new ConfigLoader(LoadContext.system());
  }

  /**
   * The config file to read: {@code configFlag} when non-empty, else {@code LITESTREAM_CONFIG}
   * when non-empty, else {@code /etc/litestream.yml}; {@code ~} is expanded.
   *
   * @param configFlag value of {@code -config}, or null when not given
   */
  public Path resolvePath(String configFlag) {
    String p = configFlag;
    if (p == null || p.isEmpty()) {
      p = context.env().get("LITESTREAM_CONFIG");
    }
    if (p == null || p.isEmpty()) {
      p = LoadContext.DEFAULT_CONFIG_PATH;
    }
    return context.expandPath(p);
  }

  /**
   * Reads and parses the config file.
   *
   * @param configFlag value of {@code -config}, or null
   * @param expandEnv false for {@code -no-expand-env}
   * @throws ConfigException when the file is missing, unreadable or invalid (all problems listed)
   */
  public LoadedConfig load(String configFlag, boolean expandEnv) throws ConfigException {
    Path path = resolvePath(configFlag);
    return parse(read(path, "use -config PATH or set LITESTREAM_CONFIG"), path.toString(), expandEnv);
  }

  /**
   * Reads and parses a {@code runnel serve} config file ({@link ServeFile}: strict, unknown keys are
   * errors). Relative paths inside it are resolved against the working directory, as in
   * {@code litestream.yml}.
   *
   * @param file the file ({@code ~} is expanded)
   * @param expandEnv false for {@code -no-expand-env}
   * @throws ConfigException when the file is missing, unreadable or invalid (all problems listed)
   */
  public ServeFile loadServe(String file, boolean expandEnv) throws ConfigException {
    Path path = context.expandPath(file);
    return parseServe(read(path, "check the -config path"), path.toString(), expandEnv);
  }

  /** Parses {@code runnel serve} config text; see {@link #loadServe}. */
  public ServeFile parseServe(String text, String sourceName, boolean expandEnv) throws ConfigException {
    Problems problems = new Problems(sourceName);
    Node root = compose(text, sourceName, expandEnv, problems);
    ServeFile file;
    if (root == null || YamlMap.isNull(root)) {
      file = ServeFile.EMPTY;
    } else if (!(root instanceof MappingNode m)) {
      problems.error(YamlMap.line(root), "", "the config must be a mapping of keys (addr, data, replica, …), got "
          + YamlMap.describe(root));
      throw new ConfigException(problems.errors());
    } else {
      file = new ServeFileParser(context, problems).parse(new YamlMap(m, "", problems));
    }
    if (problems.hasErrors()) {
      throw new ConfigException(problems.errors());
    }
    return file;
  }

  private static String read(Path path, String hint) throws ConfigException {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of("config file not found: " + path + " (" + hint + ")"));
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read config file " + path + ": " + e.getMessage()));
    }
  }

  /** Expands the environment and composes YAML nodes (keeping lines); syntax errors are thrown at once. */
  private Node compose(String text, String sourceName, boolean expandEnv, Problems problems)
      throws ConfigException {
    Map<String, String> env = context.effectiveEnv();
    String expanded = expandEnv ? EnvExpander.expand(text, env, context.pid()) : text;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // reported as warnings by YamlMap
      return new Yaml(options).compose(new java.io.StringReader(expanded));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      problems.error(line, "", "invalid YAML: " + what + context);
      throw new ConfigException(problems.errors());
    } catch (YAMLException e) {
      throw new ConfigException(List.of(sourceName + ": invalid YAML: " + e.getMessage()));
    }
  }

  /**
   * Parses config text.
   *
   * @param text the file's content
   * @param sourceName name used in messages, e.g. {@code litestream.yml}
   * @param expandEnv false for {@code -no-expand-env}
   * @throws ConfigException with every problem found
   */
  public LoadedConfig parse(String text, String sourceName, boolean expandEnv) throws ConfigException {
    Map<String, String> env = context.effectiveEnv();
    Problems problems = new Problems(sourceName);
    Node root = compose(text, sourceName, expandEnv, problems);

    RunnelConfig config;
    if (root == null || YamlMap.isNull(root)) {
      config = RunnelConfig.defaults(); // an empty file is valid: no databases
    } else if (!(root instanceof MappingNode m)) {
      problems.error(YamlMap.line(root), "", "the config must be a mapping of keys (addr, dbs, …), got "
          + YamlMap.describe(root));
      throw new ConfigException(problems.errors());
    } else {
      config = new ConfigParser(context, env, problems).parse(new YamlMap(m, "", problems));
    }
    if (problems.hasErrors()) {
      throw new ConfigException(problems.errors());
    }
    return new LoadedConfig(config, problems.warnings());
  }
}
