package io.extensa.bench.scripts;

import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;

/**
 * The database side of the parallel read without Extensa: N pgjdbc connections in REPEATABLE READ
 * READ ONLY transactions sharing one exported snapshot, each COPYing a ctid range of the table in
 * binary into a stream that discards it, at the same time. A new transaction (and snapshot) per
 * timed run. What several backends can hand a client together.
 */
public final class SnapshotCopyOutVariant extends Variant {

    private final ConnectionSource source;
    private final String columns;
    private final String table;
    private final int connections;
    private final long expectedRows;
    private final List<Connection> open = new ArrayList<>();
    private ExecutorService pool;
    private long blocks;

    public SnapshotCopyOutVariant(String label, Side side, String path, ConnectionSource source, String columns,
            String table, int connections, long expectedRows) {
        super(label, side, path, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot() "
                + "(first) / SET TRANSACTION SNAPSHOT (others); per connection COPY (SELECT " + columns + " FROM "
                + table + " WHERE ctid >= '(a,0)' AND ctid < '(b,0)') TO STDOUT (FORMAT binary)");
        this.source = source;
        this.columns = columns;
        this.table = table;
        this.connections = connections;
        this.expectedRows = expectedRows;
    }

    @Override
    public void warmUp() throws Exception {
        for (int k = 0; k < connections; k++) {
            open.add(source.open());
        }
        pool = Executors.newFixedThreadPool(connections);
        try (Statement s = open.get(0).createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "') / "
                     + "current_setting('block_size')::int8")) {
            rs.next();
            blocks = rs.getLong(1);
        }
        long rows = read();
        if (rows != expectedRows) {
            throw new IllegalStateException("the ranges returned " + rows + " rows, expected " + expectedRows);
        }
    }

    @Override
    public double runOnceMillis() throws Exception {
        long started = System.nanoTime();
        read();
        return (System.nanoTime() - started) / 1e6;
    }

    private long read() throws Exception {
        String snapshot = null;
        for (int k = 0; k < connections; k++) {
            try (Statement s = open.get(k).createStatement()) {
                s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                if (k == 0) {
                    try (ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
                        rs.next();
                        snapshot = rs.getString(1);
                    }
                } else {
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
                }
            }
        }
        List<Future<Long>> parts = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            Connection c = open.get(k);
            long from = k == 0 ? -1 : blocks * k / connections;
            long to = k == connections - 1 ? -1 : blocks * (k + 1) / connections;
            String where = (from < 0 ? "" : "ctid >= '(" + from + ",0)'::tid")
                    + (from >= 0 && to >= 0 ? " AND " : "") + (to < 0 ? "" : "ctid < '(" + to + ",0)'::tid");
            String sql = "COPY (SELECT " + columns + " FROM " + table + " WHERE " + where
                    + ") TO STDOUT (FORMAT binary)";
            parts.add(pool.submit(() -> c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql,
                    OutputStream.nullOutputStream())));
        }
        long rows = 0;
        for (Future<Long> part : parts) {
            rows += part.get();
        }
        for (Connection c : open) {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (Connection c : open) {
            c.close();
        }
        open.clear();
    }
}
