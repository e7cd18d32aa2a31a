package dev.runnel.replica.s3;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link S3TestServer} per test class: started before the class's {@code @BeforeAll} methods,
 * closed after its {@code @AfterAll} methods. Register it as
 * {@code @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();} and reach
 * the server with {@link #server()}; tests isolate themselves with {@link S3TestServer#newBucket()}.
 */
public final class S3ServerExtension implements BeforeAllCallback, AfterAllCallback {
  private volatile S3TestServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = S3TestServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    S3TestServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /** The running server; only between the class's first and last test callbacks. */
  public S3TestServer server() {
    S3TestServer s = server;
    if (s == null) {
      throw new IllegalStateException("S3 test server not running (register S3ServerExtension as a static field)");
    }
    return s;
  }
}
