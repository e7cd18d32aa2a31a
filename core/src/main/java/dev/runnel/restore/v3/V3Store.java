package dev.runnel.restore.v3;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Read access to the objects of one 0.3 replica root (the directory or key prefix that holds
 * {@code generations/}). Keys are relative to that root and {@code /}-separated, so an S3 backend
 * can map them to {@code <path>/<key>} without translation.
 *
 * <p>Implementations must be safe for concurrent use by several threads.
 */
public interface V3Store {

  /**
   * Lists every object whose key starts with {@code prefix}, at any depth (S3 semantics: no
   * delimiter). Order is unspecified. A prefix under which nothing exists lists empty.
   *
   * @param prefix key prefix, e.g. {@code "generations/"}; {@code ""} lists everything
   */
  List<V3Object> list(String prefix) throws IOException;

  /**
   * Opens an object for sequential reading. The caller closes the stream.
   *
   * @throws java.nio.file.NoSuchFileException if the object does not exist
   */
  InputStream open(String key) throws IOException;

  /** A human-readable location for messages, e.g. {@code file:///backups/db}. No secrets. */
  String describe();
}
