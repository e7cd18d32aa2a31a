package dev.runnel.replica;

import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica client that passes every call to another one, for wrappers that change a few calls
 * (fencing, fault or latency injection, counting) and must not drop the rest: each method here
 * forwards, including {@link #listAllLevels()} (a backend may list everything in one request) and
 * {@link #conditionalStore()}. Subclasses override what they change; {@link #close()} closes the
 * delegate unless overridden.
 *
 * <p>Thread-safe if the delegate is.
 */
public abstract class ForwardingReplicaClient implements ReplicaClient {
  /** The client every call goes to. */
  protected final ReplicaClient delegate;

  protected ForwardingReplicaClient(ReplicaClient delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public String type() {
    return delegate.type();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void init() throws IOException {
    delegate.init();
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    return delegate.list(level, seek, exactTimestamps);
  }

  @Override
  public Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return delegate.listAllLevels();
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    return delegate.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    return delegate.write(level, min, max, data);
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    delegate.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    delegate.deleteAll();
  }

  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return delegate.conditionalStore();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
