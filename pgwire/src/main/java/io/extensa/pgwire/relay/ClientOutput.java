package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.pgwire.message.PgBuffer;
import io.extensa.pgwire.message.ServerMessages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The worker's buffered writer to the client. It is only used while the worker owns the backend
 * (so the backend thread is not writing) and flushes at message boundaries: when a lot has
 * accumulated, at the end of each handled message, and right after every notice so script
 * output streams.
 */
final class ClientOutput {

    private static final int FLUSH_THRESHOLD = 64 * 1024;

    private final GatewaySession session;
    private final PgBuffer buffer = new PgBuffer(FLUSH_THRESHOLD + 1024);

    ClientOutput(GatewaySession session) {
        this.session = session;
    }

    void readyForQuery(TransactionStatus status) {
        ServerMessages.readyForQuery(buffer, status);
    }

    void commandComplete(String tag) {
        ServerMessages.commandComplete(buffer, tag);
    }

    void error(ErrorFields fields) {
        // an error can strike in the middle of a DataRow; the half-written row must not reach the client
        buffer.abandonMessage();
        ServerMessages.errorResponse(buffer, fields);
    }

    void notice(ErrorFields fields) {
        ServerMessages.noticeResponse(buffer, fields);
        flush();
    }

    void rowDescription(List<ColumnDescriptor> columns, short[] formats) {
        ServerMessages.rowDescription(buffer, columns, formats);
    }

    void parameterDescription(int[] types) {
        ServerMessages.parameterDescription(buffer, types);
    }

    void parseComplete() {
        ServerMessages.parseComplete(buffer);
    }

    void bindComplete() {
        ServerMessages.bindComplete(buffer);
    }

    void closeComplete() {
        ServerMessages.closeComplete(buffer);
    }

    void noData() {
        ServerMessages.noData(buffer);
    }

    void portalSuspended() {
        ServerMessages.portalSuspended(buffer);
    }

    /** A backend message passed through unchanged. */
    void raw(char type, ByteBuffer body) {
        buffer.begin(type).put(body.duplicate()).end();
        maybeFlush();
    }

    DataRowWriter rows(short[] formats) {
        return new Rows(formats);
    }

    void maybeFlush() {
        if (buffer.size() >= FLUSH_THRESHOLD) {
            flush();
        }
    }

    /** Writes what is buffered; a vanished client ends the session, the caller sees it as closed. */
    void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        session.clientWriteLock.lock();
        try {
            session.client.write(buffer.asByteBuffer());
        } catch (IOException e) {
            session.close("client write failed: " + e.getMessage());
        } finally {
            session.clientWriteLock.unlock();
            buffer.clear();
        }
    }

    /** DataRow: 'D' int32 len, int16 field count, then per field int32 length (-1 NULL) and bytes. */
    private final class Rows implements DataRowWriter {
        private final short[] formats;

        Rows(short[] formats) {
            this.formats = formats;
        }

        @Override
        public int format(int column) {
            return ServerMessages.formatOf(formats, column);
        }

        @Override
        public void beginRow(int fieldCount) {
            buffer.begin('D').putShort(fieldCount);
        }

        @Override
        public void nullField() {
            buffer.putInt(-1);
        }

        @Override
        public void field(byte[] value, int offset, int length) {
            buffer.putInt(length).put(value, offset, length);
        }

        @Override
        public void field(ByteBuffer value) {
            buffer.putInt(value.remaining()).put(value);
        }

        @Override
        public void endRow() {
            buffer.end();
            maybeFlush();
        }
    }
}
