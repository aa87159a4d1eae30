package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;
import java.nio.ByteBuffer;

/** An open COPY ... FROM STDIN on the caller's backend. */
public interface CopyIn {

    /** Sends one CopyData message with the buffer's remaining bytes. */
    void write(ByteBuffer data) throws PgException;

    /** Sends CopyDone and waits for CommandComplete; returns its tag, e.g. {@code COPY 1000}. */
    String finish() throws PgException;

    /** Sends CopyFail; the backend answers with an error, which this swallows. */
    void abort(String reason) throws PgException;
}
