package dev.runnel.replicate;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/**
 * The application's connections to a replicated database ({@link ReplicatedDatabase#connect()}):
 * opened with no automatic checkpoints, Runnel's barrier-aware busy handler and a commit hook that
 * asks for a sync, and counted, because the database's page-read descriptor must outlive every one
 * of them (closing it would drop SQLite's POSIX locks for the whole process).
 *
 * <p>Thread-safe.
 */
final class AppConnections {
  /** How long application connections wait for a lock before SQLITE_BUSY. */
  static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);

  private final Path db;
  private final SqliteSession session;
  private final Runnable onCommit;
  private final Runnable onLastClosed;
  private final AtomicInteger open = new AtomicInteger();

  /**
   * @param onCommit     called from SQLite's commit hook, before the commit's frames are written
   * @param onLastClosed called when the count of open connections drops to zero
   */
  AppConnections(Path db, SqliteSession session, Runnable onCommit, Runnable onLastClosed) {
    this.db = db;
    this.session = session;
    this.onCommit = onCommit;
    this.onLastClosed = onLastClosed;
  }

  /** Connections opened and not yet closed. */
  int openCount() {
    return open.get();
  }

  Connection open() throws SQLException {
    Connection c = SqliteSession.connect(db, BUSY_TIMEOUT);
    org.sqlite.BusyHandler.setHandler(c, new BarrierAwareBusyHandler(session, BUSY_TIMEOUT));
    c.unwrap(SQLiteConnection.class).addCommitListener(new SQLiteCommitListener() {
      @Override
      public void onCommit() {
        onCommit.run();
      }

      @Override
      public void onRollback() {}
    });
    open.incrementAndGet();
    AtomicBoolean connClosed = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            try {
              return method.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            } finally {
              if (connClosed.compareAndSet(false, true) && open.decrementAndGet() == 0) {
                onLastClosed.run();
              }
            }
          }
          if (method.getName().equals("unwrap") && args != null && args[0] == Connection.class) {
            return proxy;
          }
          try {
            return method.invoke(c, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
