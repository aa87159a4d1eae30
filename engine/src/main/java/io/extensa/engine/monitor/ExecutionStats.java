package io.extensa.engine.monitor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cumulative counters per language, SQL Server's performance counters for external scripts. This
 * gateway's increments since the last flush are kept here; the monitor writer adds them to the
 * persisted totals (sys.dm_external_script_execution_stats) and hands back what it could not write.
 */
public final class ExecutionStats implements RequestRegistry.Listener {

    public static final String TOTAL_EXECUTIONS = "Total Executions";
    public static final String EXECUTION_ERRORS = "Execution Errors";
    public static final String PARALLEL_EXECUTIONS = "Parallel Executions";
    public static final String STREAMING_EXECUTIONS = "Streaming Executions";
    public static final String LOOPBACK_LOGINS = "Implied Auth. Logins";
    public static final String TOTAL_TIME_MS = "Total Execution Time (ms)";
    public static final List<String> COUNTERS = List.of(TOTAL_EXECUTIONS, EXECUTION_ERRORS, PARALLEL_EXECUTIONS,
            STREAMING_EXECUTIONS, LOOPBACK_LOGINS, TOTAL_TIME_MS);

    private Map<String, long[]> pending = new HashMap<>();

    @Override
    public void began(RequestRegistry.Handle request) {
    }

    @Override
    public synchronized void ended(RequestRegistry.Handle request, RequestRegistry.Outcome outcome,
                                   RequestRegistry.Flags flags, long elapsedNanos) {
        long[] c = pending.computeIfAbsent(request.info().language(), l -> new long[COUNTERS.size()]);
        c[0]++;
        c[1] += outcome == RequestRegistry.Outcome.OK ? 0 : 1;
        c[2] += flags.parallel() ? 1 : 0;
        c[3] += flags.streaming() ? 1 : 0;
        c[4] += flags.loopbackLogin() ? 1 : 0;
        c[5] += elapsedNanos / 1_000_000;
    }

    /** Takes the increments since the last call: language -> counter name -> delta (zeros left out). */
    public synchronized Map<String, Map<String, Long>> drain() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        pending.forEach((language, c) -> {
            Map<String, Long> counters = new LinkedHashMap<>();
            for (int k = 0; k < c.length; k++) {
                if (c[k] != 0) {
                    counters.put(COUNTERS.get(k), c[k]);
                }
            }
            out.put(language, counters);
        });
        pending = new HashMap<>();
        return out;
    }

    /** Puts back increments a failed flush did not write. */
    public synchronized void restore(Map<String, Map<String, Long>> increments) {
        increments.forEach((language, counters) -> {
            long[] c = pending.computeIfAbsent(language, l -> new long[COUNTERS.size()]);
            counters.forEach((name, delta) -> c[COUNTERS.indexOf(name)] += delta);
        });
    }
}
