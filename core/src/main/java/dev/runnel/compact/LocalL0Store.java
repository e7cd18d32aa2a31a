package dev.runnel.compact;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Local copies of L0 files (the engine's meta directory), read in preference to the replica. */
public interface LocalL0Store {
  /** The local copy of an L0 file, if present. */
  Optional<InputStream> open(LtxFileName name) throws IOException;

  /** Deletes local copies with MaxTXID &le; {@code max} that are no longer needed; never the newest. */
  void deleteThrough(TxId max) throws IOException;

  /** No local copies: everything is read from the replica. */
  LocalL0Store NONE = new LocalL0Store() {
    @Override
    public Optional<InputStream> open(LtxFileName name) {
      return Optional.empty();
    }

    @Override
    public void deleteThrough(TxId max) {}
  };
}
