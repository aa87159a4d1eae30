package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.BatchBuilder;

/**
 * Takes a full batch (encode and send it); the reader resets the builder after the call returns,
 * so the batch must not be used afterwards.
 */
@FunctionalInterface
public interface BatchSink {
    void accept(BatchBuilder batch) throws PgException;
}
