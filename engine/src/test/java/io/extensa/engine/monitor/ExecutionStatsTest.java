package io.extensa.engine.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionStatsTest {

    private static RequestRegistry.Handle run(RequestRegistry registry, String id, String language) {
        return registry.begin(new RequestInfo(id, 1, 100, "u", "db", language, "default", 1));
    }

    @Test
    void countsPerLanguageDrainAndRestore() {
        RequestRegistry registry = new RequestRegistry();
        ExecutionStats stats = new ExecutionStats();
        registry.addListener(stats);
        RequestRegistry.Handle a = run(registry, "a", "Python");
        RequestRegistry.Handle b = run(registry, "b", "Python");
        RequestRegistry.Handle c = run(registry, "c", "R");
        assertThat(registry.live()).hasSize(3);
        a.end(RequestRegistry.Outcome.OK, new RequestRegistry.Flags(true, false, false));
        a.end(RequestRegistry.Outcome.ERROR, RequestRegistry.Flags.NONE);
        b.end(RequestRegistry.Outcome.ERROR, new RequestRegistry.Flags(false, true, false));
        c.end(RequestRegistry.Outcome.CANCELLED, RequestRegistry.Flags.NONE);
        assertThat(registry.live()).isEmpty();

        Map<String, Map<String, Long>> first = stats.drain();
        assertThat(first.get("Python")).containsEntry(ExecutionStats.TOTAL_EXECUTIONS, 2L)
                .containsEntry(ExecutionStats.EXECUTION_ERRORS, 1L)
                .containsEntry(ExecutionStats.PARALLEL_EXECUTIONS, 1L)
                .containsEntry(ExecutionStats.STREAMING_EXECUTIONS, 1L)
                .doesNotContainKey(ExecutionStats.LOOPBACK_LOGINS);
        assertThat(first.get("R")).containsEntry(ExecutionStats.TOTAL_EXECUTIONS, 1L)
                .containsEntry(ExecutionStats.EXECUTION_ERRORS, 1L);
        assertThat(stats.drain()).isEmpty();

        stats.restore(first);
        run(registry, "d", "Python").end(RequestRegistry.Outcome.OK, RequestRegistry.Flags.NONE);
        assertThat(stats.drain().get("Python")).containsEntry(ExecutionStats.TOTAL_EXECUTIONS, 3L);
    }
}
