package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A replica client that refuses every mutation unless the tenant's lease is still held (see
 * {@link TenantLease#checkWritable}). Reads pass through. Does not own the delegate: closing this
 * wrapper does nothing.
 */
final class FencedReplicaClient implements ReplicaClient {
  private final ReplicaClient delegate;
  private final TenantLease lease;
  private final boolean verifyRemote;

  FencedReplicaClient(ReplicaClient delegate, TenantLease lease, boolean verifyRemote) {
    this.delegate = delegate;
    this.lease = lease;
    this.verifyRemote = verifyRemote;
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
  public java.util.Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return delegate.listAllLevels();
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    return delegate.list(level, seek, exactTimestamps);
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    return delegate.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    lease.checkWritable(verifyRemote);
    return delegate.write(level, min, max, data);
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    lease.checkWritable(verifyRemote);
    delegate.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    lease.checkWritable(verifyRemote);
    delegate.deleteAll();
  }

  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return delegate.conditionalStore();
  }

  @Override
  public void close() {}
}
