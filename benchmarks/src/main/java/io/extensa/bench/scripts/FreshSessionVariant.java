package io.extensa.bench.scripts;

import java.sql.Connection;
import java.sql.Statement;

/**
 * The first call in a new session: connect (untimed), time the first execution of the statement,
 * disconnect. For in-database languages this includes loading the interpreter into the backend.
 */
public final class FreshSessionVariant extends Variant {

    private final ConnectionSource source;
    private final String sql;
    private final JdbcVariant.Check check;

    public FreshSessionVariant(String label, Side side, String path, ConnectionSource source, String sql,
            JdbcVariant.Check check) {
        super(label, side, path, sql);
        this.source = source;
        this.sql = sql;
        this.check = check;
    }

    @Override
    public void warmUp() throws Exception {
        try (Connection connection = source.open(); Statement statement = connection.createStatement()) {
            check.verify(JdbcVariant.drain(statement, statement.execute(sql)));
        }
    }

    @Override
    public double runOnceMillis() throws Exception {
        try (Connection connection = source.open(); Statement statement = connection.createStatement()) {
            long started = System.nanoTime();
            JdbcVariant.drain(statement, statement.execute(sql));
            return (System.nanoTime() - started) / 1e6;
        }
    }
}
