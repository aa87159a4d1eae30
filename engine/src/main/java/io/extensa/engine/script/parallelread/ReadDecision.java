package io.extensa.engine.script.parallelread;

import java.util.List;

/**
 * Whether an input query may be read over several connections, and if so what to read: either
 * {@link Serial} with the reason, or {@link Parallel} with everything the readers need.
 */
public sealed interface ReadDecision {

    /** Whether the caller asked for DEBUG notices (client_min_messages debug*); false when unknown. */
    boolean debugNotices();

    /** The input goes through the caller's own connection, as always. */
    record Serial(String reason, boolean debugNotices) implements ReadDecision {
    }

    /**
     * The input is exactly the visible rows of one permanent table, projected onto plain columns.
     *
     * @param schema         the table's schema
     * @param table          the table's name
     * @param columns        the column names, in the query's output order
     * @param blocks         the table's size in blocks when checked (the last range is open-ended anyway)
     * @param callerRole     current_user of the caller's session: the readers run as this role
     * @param clientEncoding the caller's client_encoding (text in binary COPY is sent in it)
     * @param statementTimeout the caller's statement_timeout, as PostgreSQL shows it
     */
    record Parallel(String schema, String table, List<String> columns, long blocks, String callerRole,
                    String clientEncoding, String statementTimeout, boolean debugNotices) implements ReadDecision {

        /** The read of blocks [from, to) as SQL; -1 leaves that end open. */
        String rangeQuery(long from, long to) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < columns.size(); i++) {
                sql.append(i > 0 ? ", " : "").append(Sql.identifier(columns.get(i)));
            }
            sql.append(" FROM ONLY ").append(Sql.identifier(schema)).append('.').append(Sql.identifier(table));
            if (from >= 0 && to >= 0) {
                sql.append(" WHERE ctid >= '(").append(from).append(",0)'::tid AND ctid < '(").append(to)
                        .append(",0)'::tid");
            } else if (from >= 0) {
                sql.append(" WHERE ctid >= '(").append(from).append(",0)'::tid");
            } else if (to >= 0) {
                sql.append(" WHERE ctid < '(").append(to).append(",0)'::tid");
            }
            return sql.toString();
        }

        /** Block boundaries cutting the table into {@code parts} contiguous ranges; the ends are open (-1). */
        long[] boundaries(int parts) {
            long[] b = new long[parts + 1];
            b[0] = -1;
            b[parts] = -1;
            for (int k = 1; k < parts; k++) {
                b[k] = blocks * k / parts;
            }
            return b;
        }
    }
}
