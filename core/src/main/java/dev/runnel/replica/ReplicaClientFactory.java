package dev.runnel.replica;

import java.net.URI;
import java.util.Map;

/**
 * Creates replica clients for one URL scheme. Backends register an implementation in
 * {@code META-INF/services/dev.runnel.replica.ReplicaClientFactory}; {@link ReplicaClients#open}
 * finds them with {@link java.util.ServiceLoader}. Implementations need a public no-argument
 * constructor and must be thread-safe.
 */
public interface ReplicaClientFactory {

  /** The lower-case URL scheme this factory handles, e.g. {@code file} or {@code s3}. */
  String scheme();

  /**
   * Creates a client. Does not touch the backend; callers run {@link ReplicaClient#init()}.
   *
   * @param url     the replica URL, whose scheme is {@link #scheme()}
   * @param options backend settings: the URL's query parameters merged with explicit options
   *                (explicit ones win); a backend ignores keys it does not know
   * @throws IllegalArgumentException if the URL or an option is invalid for this backend
   */
  ReplicaClient create(URI url, Map<String, String> options);
}
