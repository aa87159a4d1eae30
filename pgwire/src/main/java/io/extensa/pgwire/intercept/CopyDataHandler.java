package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;
import java.nio.ByteBuffer;

/** Receives the CopyData payloads of a COPY ... TO STDOUT; the buffer is only valid during the call. */
@FunctionalInterface
public interface CopyDataHandler {
    void data(ByteBuffer payload) throws PgException;
}
