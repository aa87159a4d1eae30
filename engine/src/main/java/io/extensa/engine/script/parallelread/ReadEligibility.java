package io.extensa.engine.script.parallelread;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, on the caller's own connection, whether reading an input query over several
 * connections is provably the same as the serial read (docs/security.md, "Parallel input read").
 * Every question is asked as the caller, in the caller's transaction; none can fail for a reason
 * the serial read would not fail for too.
 */
final class ReadEligibility {

    private static final int TEXT = 25;
    /** Values of the session setting extensa.parallel_read that turn the parallel read off. */
    private static final java.util.Set<String> OFF = java.util.Set.of("off", "false", "0", "no");

    private ReadEligibility() {
    }

    static ReadDecision decide(BackendChannel backend, String query, List<ColumnDescriptor> columns, long minPages)
            throws PgException {
        if (minPages <= 0) {
            return new ReadDecision.Serial("parallel read min pages is 0 (off)", false);
        }
        // RowDescription names the source table and column of every output that is a plain column
        int relation = columns.isEmpty() ? 0 : columns.get(0).tableOid();
        for (ColumnDescriptor c : columns) {
            if (c.tableOid() == 0 || c.tableOid() != relation || c.columnNumber() <= 0) {
                return new ReadDecision.Serial("the output is not plain columns of one table", false);
            }
        }
        List<String> facts = single(backend, """
                SELECT c.relkind::text, c.relpersistence::text, c.relrowsecurity::text, n.nspname::text,
                       c.relname::text,
                       (pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8)::text,
                       (pg_catalog.pg_current_xact_id_if_assigned() IS NULL)::text,
                       pg_catalog.current_setting('transaction_isolation'),
                       current_user::text,
                       pg_catalog.current_setting('client_encoding'),
                       pg_catalog.current_setting('statement_timeout'),
                       pg_catalog.current_setting('client_min_messages'),
                       EXISTS (SELECT 1 FROM pg_catalog.pg_locks l WHERE l.pid = pg_catalog.pg_backend_pid()
                               AND l.relation = c.oid AND l.granted
                               AND l.mode = 'AccessExclusiveLock')::text,
                       pg_catalog.has_column_privilege(c.oid, 'ctid', 'SELECT')::text,
                       pg_catalog.lower(coalesce(pg_catalog.current_setting('extensa.parallel_read', true), ''))
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = $1::text::oid""", Integer.toUnsignedString(relation));
        if (facts == null) {
            return new ReadDecision.Serial("the source table is gone", false);
        }
        boolean debug = facts.get(11).startsWith("debug");
        long blocks = Long.parseLong(facts.get(5));
        String why = null;
        if (OFF.contains(facts.get(14))) {
            why = "extensa.parallel_read is " + facts.get(14) + " in this session";
        } else if (!facts.get(0).equals("r")) {
            why = "the source is not an ordinary table";
        } else if (facts.get(1).equals("t")) {
            why = "the table is temporary (other sessions cannot read it)";
        } else if (facts.get(2).equals("true")) {
            why = "the table has row-level security enabled";
        } else if (!facts.get(6).equals("true")) {
            why = "the caller's transaction has written (a transaction id is assigned)";
        } else if (!facts.get(7).equals("read committed")) {
            why = "the caller's transaction is " + facts.get(7) + " (only read committed takes a fresh snapshot "
                    + "per statement)";
        } else if (facts.get(12).equals("true")) {
            why = "the caller's transaction holds an exclusive lock on the table";
        } else if (!facts.get(13).equals("true")) {
            // the readers' ranges name ctid, which the serial read does not: without the privilege they would fail
            why = "the caller may not SELECT the table's ctid (it has column privileges only)";
        } else if (!facts.get(9).equals("UTF8")) {
            why = "the session's client_encoding is " + facts.get(9) + ", not UTF8";
        } else if (blocks < minPages) {
            why = "the table has " + blocks + " pages, fewer than parallel read min pages (" + minPages + ")";
        }
        if (why != null) {
            return new ReadDecision.Serial(why, debug);
        }
        List<String> names = new ArrayList<>();
        for (ColumnDescriptor c : columns) {
            List<String> column = single(backend, "SELECT a.attname::text, pg_catalog.has_column_privilege("
                    + "a.attrelid, a.attnum, 'SELECT')::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
                    + "$1::text::oid AND a.attnum = $2::text::int2 AND NOT a.attisdropped",
                    Integer.toUnsignedString(relation), Integer.toString(c.columnNumber()));
            if (column == null) {
                return new ReadDecision.Serial("a source column is gone", debug);
            }
            if (!column.get(1).equals("true")) {
                // the serial read reports the permission error, exactly as without Extensa
                return new ReadDecision.Serial("the caller may not SELECT column " + column.get(0), debug);
            }
            names.add(column.get(0));
        }
        // planning as the caller: the same plan the serial read would run
        List<String> explain = single(backend, "EXPLAIN (VERBOSE, FORMAT XML) " + query);
        PlanCheck.Result plan = PlanCheck.check(explain == null ? "" : explain.get(0), "Seq Scan");
        if (!plan.plain()) {
            return new ReadDecision.Serial(plan.refusal(), debug);
        }
        if (!plan.schema().equals(facts.get(3)) || !plan.relation().equals(facts.get(4))) {
            return new ReadDecision.Serial("the plan scans " + plan.schema() + "." + plan.relation()
                    + ", not the table the columns come from", debug);
        }
        return new ReadDecision.Parallel(facts.get(3), facts.get(4), names, blocks, facts.get(8), facts.get(9),
                facts.get(10), debug);
    }

    /** The first row of a query as text (null for no row), run on the caller's connection. */
    private static List<String> single(BackendChannel backend, String sql, String... values) throws PgException {
        List<BindValue> binds = new ArrayList<>();
        for (String v : values) {
            binds.add(BindValue.text(TEXT, v));
        }
        List<List<String>> rows = new ArrayList<>();
        backend.execute(sql, binds, 0, row -> rows.add(textRow(row)));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static List<String> textRow(ByteBuffer body) {
        ByteBuffer b = body.duplicate();
        int n = b.getShort();
        List<String> row = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.getInt();
            if (len < 0) {
                row.add(null);
            } else {
                byte[] bytes = new byte[len];
                b.get(bytes);
                row.add(new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return row;
    }
}
