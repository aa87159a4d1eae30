package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnBuilder;

import java.nio.ByteBuffer;

/**
 * Appends one non-NULL field, given in PostgreSQL's binary format, to a column builder.
 * Decoders are made per column by {@link InputTypes#plan}; they keep scratch space, so one
 * decoder serves one reader thread.
 */
@FunctionalInterface
public interface BinaryDecoder {

    /**
     * @param source the bytes, read big-endian at absolute indexes (position and limit are ignored)
     * @param offset where the field starts
     * @param length the field's length (never -1: NULLs are the caller's, via {@link ColumnBuilder#appendNull()})
     * @throws PgException INVALID_BINARY_REPRESENTATION for malformed bytes, or a value the wire
     *                     format cannot hold (e.g. a timestamp beyond year 294246)
     */
    void decode(ByteBuffer source, int offset, int length, ColumnBuilder target) throws PgException;

    /**
     * A decoder that decodes the same way with scratch space of its own, for another reader
     * thread; stateless decoders return themselves.
     */
    default BinaryDecoder forAnotherThread() {
        return this;
    }

    /** Decodes the buffer's remaining bytes. */
    default void decode(ByteBuffer field, ColumnBuilder target) throws PgException {
        decode(field, field.position(), field.remaining(), target);
    }
}
