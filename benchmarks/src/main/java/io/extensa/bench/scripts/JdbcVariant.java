package io.extensa.bench.scripts;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A SQL statement run with pgjdbc on one connection kept open, timed from the client's side:
 * execute, read every row of every result, done.
 */
public final class JdbcVariant extends Variant {

    /** How pgjdbc sends the statement. */
    public enum Mode {
        /** {@code Statement.execute}: simple protocol when the connection says preferQueryMode=simple, else an unnamed extended-protocol statement. */
        STATEMENT,
        /** One {@code PreparedStatement} reused for every call (server-side prepared with prepareThreshold=1). */
        PREPARED
    }

    /**
     * What a statement returned: the first row of the first result set, the row count, the last
     * update count, the sum of the first column over all rows (numbers only) and the notices.
     */
    public record Outcome(List<Object> firstRow, long rows, long updateCount, double firstColumnSum,
            List<String> notices) {
        public Outcome(List<Object> firstRow, long rows, long updateCount) {
            this(firstRow, rows, updateCount, 0, List.of());
        }
    }

    /** Checks the outcome of the warm-up call; throws when it is wrong. */
    @FunctionalInterface
    public interface Check {
        void verify(Outcome outcome) throws Exception;
    }

    private final ConnectionSource source;
    private final String sql;
    private final Mode mode;
    private final Check check;
    private Connection connection;
    private Statement statement;
    private PreparedStatement prepared;
    private List<String> warmUpNotices = List.of();

    public JdbcVariant(String label, Side side, String path, ConnectionSource source, String sql, Mode mode,
            Check check) {
        super(label, side, path, sql);
        this.source = source;
        this.sql = sql;
        this.mode = mode;
        this.check = check;
    }

    @Override
    public void warmUp() throws Exception {
        connection = source.open();
        if (mode == Mode.PREPARED) {
            prepared = connection.prepareStatement(sql);
        } else {
            statement = connection.createStatement();
        }
        Outcome outcome = execute();
        warmUpNotices = outcome.notices();
        check.verify(outcome);
    }

    /** The notices of the warm-up call, e.g. Extensa's report of units and degree of parallelism. */
    public List<String> warmUpNotices() {
        return warmUpNotices;
    }

    @Override
    public double runOnceMillis() throws SQLException {
        long started = System.nanoTime();
        execute();
        return (System.nanoTime() - started) / 1e6;
    }

    private Outcome execute() throws SQLException {
        Statement target = mode == Mode.PREPARED ? prepared : statement;
        boolean isResultSet = mode == Mode.PREPARED ? prepared.execute() : statement.execute(sql);
        return drain(target, isResultSet);
    }

    /** Reads every result of an executed statement; keeps only the first row and counts. */
    static Outcome drain(Statement statement, boolean isResultSet) throws SQLException {
        List<Object> firstRow = null;
        long rows = 0;
        long updateCount = -1;
        double firstColumnSum = 0;
        List<String> notices = new ArrayList<>();
        while (true) {
            if (isResultSet) {
                try (ResultSet results = statement.getResultSet()) {
                    int columns = results.getMetaData().getColumnCount();
                    while (results.next()) {
                        if (firstRow == null) {
                            firstRow = new ArrayList<>(columns);
                            for (int i = 1; i <= columns; i++) {
                                firstRow.add(value(results.getObject(i)));
                            }
                        }
                        if (results.getObject(1) instanceof Number number) {
                            firstColumnSum += number.doubleValue();
                        }
                        rows++;
                    }
                    collect(results.getWarnings(), notices);
                }
            } else {
                int count = statement.getUpdateCount();
                if (count == -1) {
                    break;
                }
                updateCount = count;
            }
            isResultSet = statement.getMoreResults();
        }
        collect(statement.getWarnings(), notices);
        statement.clearWarnings();
        return new Outcome(firstRow == null ? List.of() : firstRow, rows, updateCount, firstColumnSum, notices);
    }

    private static void collect(SQLWarning first, List<String> into) {
        for (SQLWarning warning = first; warning != null; warning = warning.getNextWarning()) {
            into.add(warning.getMessage());
        }
    }

    private static Object value(Object raw) throws SQLException {
        if (raw instanceof Array array) {
            Object[] elements = (Object[]) array.getArray();
            return List.of(elements);
        }
        return raw;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
