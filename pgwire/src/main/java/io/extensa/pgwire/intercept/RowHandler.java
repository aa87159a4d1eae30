package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;
import java.nio.ByteBuffer;

/**
 * Receives the DataRow messages of a backend query. The buffer holds the message body:
 * {@code int16 count} then per field {@code int32 length (-1 = NULL)} and the bytes; it is only
 * valid during the call.
 */
@FunctionalInterface
public interface RowHandler {
    void row(ByteBuffer dataRowBody) throws PgException;
}
