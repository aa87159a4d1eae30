package io.extensa.engine.script;

import io.extensa.engine.types.CopyRowEncoder;
import io.extensa.engine.types.FieldBuffer;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.CopyIn;
import io.extensa.protocol.batch.Batch;

/**
 * Streams output batches into an open {@code COPY ... FROM STDIN}: binary COPY, or text COPY when
 * some target type can only be checked by PostgreSQL's own input function.
 */
final class CopyInWriter {

    private static final int FLUSH_AT = 256 * 1024;

    private final CopyIn copy;
    private final CopyRowEncoder encoder;
    private final FieldBuffer buffer = new FieldBuffer(FLUSH_AT + 64 * 1024);

    CopyInWriter(CopyIn copy, CopyRowEncoder encoder) {
        this.copy = copy;
        this.encoder = encoder;
        encoder.start(buffer);
    }

    void write(Batch batch) throws PgException {
        encoder.write(batch, buffer);
        if (buffer.size() >= FLUSH_AT) {
            flush();
        }
    }

    /** Sends the trailer and CopyDone; returns the number of rows PostgreSQL stored. */
    long finish() throws PgException {
        encoder.finish(buffer);
        flush();
        String tag = copy.finish();
        try {
            return Long.parseLong(tag.substring(tag.lastIndexOf(' ') + 1));
        } catch (NumberFormatException e) {
            return encoder.rowsWritten();
        }
    }

    void abort(String reason) {
        try {
            copy.abort(reason);
        } catch (PgException ignored) {
            // the COPY is failed either way; the caller reports the original error
        }
    }

    private void flush() throws PgException {
        if (!buffer.isEmpty()) {
            copy.write(buffer.view());
            buffer.clear();
        }
    }
}
