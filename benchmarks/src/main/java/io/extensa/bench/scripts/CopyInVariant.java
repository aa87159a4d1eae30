package io.extensa.bench.scripts;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code COPY t FROM STDIN} fed from a byte array built beforehand: how fast PostgreSQL stores
 * rows one client sends, the ceiling for INSERT ... EXEC.
 */
public final class CopyInVariant extends Variant {

    private final ConnectionSource source;
    private final String sql;
    private final byte[] data;
    private final long expectedRows;
    private Connection connection;
    private CopyManager copy;

    public CopyInVariant(String label, Side side, String path, ConnectionSource source, String sql, byte[] data,
            long expectedRows) {
        super(label, side, path, sql);
        this.source = source;
        this.sql = sql;
        this.data = data;
        this.expectedRows = expectedRows;
    }

    @Override
    public void warmUp() throws Exception {
        connection = source.open();
        copy = connection.unwrap(PGConnection.class).getCopyAPI();
        runOnceMillis();
    }

    @Override
    public double runOnceMillis() throws Exception {
        long started = System.nanoTime();
        long rows = copy.copyIn(sql, new ByteArrayInputStream(data), 65536);
        double millis = (System.nanoTime() - started) / 1e6;
        if (rows != expectedRows) {
            throw new IllegalStateException("COPY stored " + rows + " rows, expected " + expectedRows);
        }
        return millis;
    }

    @Override
    public void close() throws Exception {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
