package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

/**
 * A replica client that refuses every mutation unless the tenant's lease is still held (see
 * {@link TenantLease#checkWritable}). Reads pass through. Does not own the delegate: closing this
 * wrapper does nothing.
 */
final class FencedReplicaClient extends ForwardingReplicaClient {
  private final TenantLease lease;
  private final boolean verifyRemote;

  FencedReplicaClient(ReplicaClient delegate, TenantLease lease, boolean verifyRemote) {
    super(delegate);
    this.lease = lease;
    this.verifyRemote = verifyRemote;
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
  public void close() {}
}
