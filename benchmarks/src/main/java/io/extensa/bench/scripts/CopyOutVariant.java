package io.extensa.bench.scripts;

import java.io.OutputStream;
import java.sql.Connection;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code COPY (query) TO STDOUT} read with pgjdbc's CopyManager into a stream that discards the
 * bytes: how fast PostgreSQL can hand the rows to one client, the ceiling for reading input.
 */
public final class CopyOutVariant extends Variant {

    private final ConnectionSource source;
    private final String sql;
    private final long expectedRows;
    private Connection connection;
    private CopyManager copy;
    private long bytes;

    public CopyOutVariant(String label, Side side, String path, ConnectionSource source, String sql, long expectedRows) {
        super(label, side, path, sql);
        this.source = source;
        this.sql = sql;
        this.expectedRows = expectedRows;
    }

    @Override
    public void warmUp() throws Exception {
        connection = source.open();
        copy = connection.unwrap(PGConnection.class).getCopyAPI();
        long rows = copy.copyOut(sql, counting());
        if (rows != expectedRows) {
            throw new IllegalStateException("COPY returned " + rows + " rows, expected " + expectedRows);
        }
    }

    @Override
    public double runOnceMillis() throws Exception {
        long started = System.nanoTime();
        copy.copyOut(sql, counting());
        return (System.nanoTime() - started) / 1e6;
    }

    /** Bytes of the last copy (the stream's size). */
    public long bytes() {
        return bytes;
    }

    private OutputStream counting() {
        bytes = 0;
        return new OutputStream() {
            @Override
            public void write(int b) {
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes += len;
            }
        };
    }

    @Override
    public void close() throws Exception {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
