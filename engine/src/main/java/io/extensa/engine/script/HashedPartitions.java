package io.extensa.engine.script;

import io.extensa.engine.types.InputColumnPlan;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a partitioned call reads its input unsorted and deals rows to satellites by a hash of
 * their key, each satellite grouping its share (END_OF_INPUT {@code group_by}), instead of having
 * PostgreSQL sort the input and cutting it into runs of partitions.
 *
 * <p>Hashing skips PostgreSQL's sort, but a satellite holds its whole share before its first
 * partition runs, so it is chosen only when the planner expects a modest input: at most
 * {@value #DEFAULT_MAX_MB} MiB of rows (estimated rows times width) unless the session setting
 * {@value #SETTING} says otherwise (0 turns hashing off). It also needs what sorting gives for
 * free: no {@code @input_data_1_order_by_columns} (that order is PostgreSQL's collation order),
 * no streaming, satellites that offered {@code key_groups} in HELLO, and key types whose equality
 * is equality of their binary forms ({@link PartitionKeys#hashable}), so that a key forms the same
 * partition either way.
 */
final class HashedPartitions {

    static final String SETTING = "extensa.partition_hash_max_mb";
    static final long DEFAULT_MAX_MB = 1024;
    private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*([0-9.eE+]+)");
    private static final Pattern PLAN_WIDTH = Pattern.compile("\"Plan Width\":\\s*([0-9]+)");

    /** The choice, and why (for the log and the call's NOTICE). */
    record Decision(boolean hashed, String reason) {
    }

    private HashedPartitions() {
    }

    static Decision decide(BackendChannel backend, ScriptCall call, InputShape shape, List<InputColumnPlan> columns,
                           List<SatelliteWorker> workers, String query) throws PgException {
        if (!shape.partitioned()) {
            return new Decision(false, "no partitions");
        }
        if (call.orderBy() != null) {
            return new Decision(false, "@input_data_1_order_by_columns orders partitions as PostgreSQL sorts");
        }
        if (call.rowsPerRead() > 0) {
            return new Decision(false, "streaming cuts partitions into chunks in key order");
        }
        for (SatelliteWorker w : workers) {
            if (!w.job.keyGroups()) {
                return new Decision(false, "the " + call.language() + " satellite does not group rows by key");
            }
        }
        if (!PartitionKeys.hashable(columns, shape.partitionColumns())) {
            return new Decision(false, "a key column's type has equal values with different binary forms");
        }
        long maxMb = maxMegabytes(backend);
        if (maxMb <= 0) {
            return new Decision(false, SETTING + " is 0");
        }
        // the form the sorted read would run, so that EXPLAIN cannot fail where that read would not
        String plan = firstValue(backend, "EXPLAIN (FORMAT JSON) SELECT * FROM (" + query + "\n) AS extensa_input");
        double estimate = estimateBytes(plan);
        if (estimate < 0) {
            return new Decision(false, "the planner gave no estimate");
        }
        if (estimate > maxMb * (1L << 20)) {
            return new Decision(false, String.format(java.util.Locale.ROOT, "the planner expects %.0f MiB of input, "
                    + "more than %s (%d MiB)", estimate / (1 << 20), SETTING, maxMb));
        }
        return new Decision(true, "keys hashed to satellites, input read unsorted");
    }

    /** The session's limit in MiB; the default when unset or not a number. */
    private static long maxMegabytes(BackendChannel backend) throws PgException {
        String value = firstValue(backend, "SELECT pg_catalog.current_setting('" + SETTING + "', true)");
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_MB;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return DEFAULT_MAX_MB;
        }
    }

    /** Estimated rows times width of the plan's top node, from EXPLAIN's JSON; -1 when absent. */
    static double estimateBytes(String explainJson) {
        if (explainJson == null) {
            return -1;
        }
        // the top node's own fields come before its "Plans"
        Matcher rows = PLAN_ROWS.matcher(explainJson);
        Matcher width = PLAN_WIDTH.matcher(explainJson);
        if (!rows.find() || !width.find()) {
            return -1;
        }
        try {
            return Double.parseDouble(rows.group(1)) * Math.max(1, Long.parseLong(width.group(1)));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The first column of the first row, as text (null for no row or NULL). */
    private static String firstValue(BackendChannel backend, String sql) throws PgException {
        List<String> values = new ArrayList<>();
        backend.execute(sql, List.of(), 0, row -> values.add(first(row)));
        return values.isEmpty() ? null : values.get(0);
    }

    private static String first(ByteBuffer body) {
        ByteBuffer b = body.duplicate();
        if (b.getShort() < 1) {
            return null;
        }
        int length = b.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
