package dev.runnel.replica;

import java.io.IOException;

/**
 * Thrown by {@link ReplicaClient#write} when the data does not start with an LTX header for the
 * file being written: too short, wrong magic, or a TxId range that differs from the file name.
 * Nothing is stored when this is thrown.
 */
public class InvalidLtxHeaderException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidLtxHeaderException(String message) {
    super(message);
  }
}
