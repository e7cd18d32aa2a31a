/**
 * Litestream 0.5 compatible configuration: {@code litestream.yml} model, loader and replica URLs.
 *
 * <p>Entry point: {@link dev.runnel.config.ConfigLoader#load(String, boolean)} returns a {@link
 * dev.runnel.config.LoadedConfig} (immutable {@link dev.runnel.config.RunnelConfig} plus warnings)
 * or throws {@link dev.runnel.config.ConfigException} listing every problem with file and line.
 *
 * <p>The same parser also reads {@code runnel serve}'s own config file: {@link
 * dev.runnel.config.ConfigLoader#loadServe(String, boolean)} returns a {@link
 * dev.runnel.config.ServeFile}. That format is Runnel's, not Litestream's, and strict: unknown keys
 * are errors.
 *
 * <p>Deliberate differences from Litestream, all towards clearer behaviour:
 *
 * <ul>
 *   <li>Unknown keys are warnings (Litestream ignores them silently); 0.3 leftovers say so.
 *   <li>A replica key set explicitly to {@code false} wins over a global {@code true} (Litestream
 *       cannot tell an explicit {@code skip-verify: false} from an absent one).
 *   <li>A global {@code bucket} does not clash with a replica {@code url} (Litestream errors).
 *   <li>URL query booleans accept {@code true/false/1/0/t/f/yes/no} for every parameter and reject
 *       anything else; both camelCase and kebab-case names work for every parameter.
 *   <li>A bare path in {@code url:} is taken as a file replica (Litestream requires a scheme).
 *   <li>In directory mode {@code meta-path} acts like {@code meta-dir} (Litestream derives the
 *       per-database directories the same way from either).
 *   <li>{@code gs} replicas go through GCS's S3-interoperability API and need HMAC keys.
 *   <li>Runnel-only settings live in the top-level {@code runnel:} block ({@link
 *       dev.runnel.config.RunnelConfig.Runnel}: {@code cumulative-levels},
 *       {@code cumulative-rewrite-ratio}), which Litestream ignores; unknown keys in it warn.
 * </ul>
 */
package dev.runnel.config;
