package io.extensa.bench.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgbenchResultTest {

    private static final String OUTPUT = """
            pgbench (15.20 (Debian 15.20-0+deb12u1))
            transaction type: <builtin: select only>
            scaling factor: 10
            query mode: simple
            number of clients: 8
            number of threads: 2
            maximum number of tries: 1
            duration: 20 s
            number of transactions actually processed: 562318
            number of failed transactions: 0 (0.000%)
            latency average = 0.284 ms
            initial connection time = 41.207 ms
            tps = 28117.712345 (without initial connection time)
            """;

    @Test
    void theSummaryLinesAreRead() {
        PgbenchResult result = PgbenchResult.parse(OUTPUT);
        assertThat(result.tps()).isEqualTo(28117.712345);
        assertThat(result.latencyMs()).isEqualTo(0.284);
        assertThat(result.transactions()).isEqualTo(562318);
        assertThat(result.failed()).isZero();
    }

    @Test
    void failedTransactionsAreCounted() {
        assertThat(PgbenchResult.parse(OUTPUT.replace("failed transactions: 0", "failed transactions: 12")).failed())
                .isEqualTo(12);
    }

    @Test
    void missingNumbersAreAnErrorWithTheOutput() {
        assertThatThrownBy(() -> PgbenchResult.parse("pgbench: error: connection failed"))
                .hasMessageContaining("no tps").hasMessageContaining("connection failed");
    }

    @Test
    void commandLinesUseTwoThreadsAtMostAndNoVacuum() {
        var target = new RelayTarget("gateway", "127.0.0.1", 5433, "127.0.0.1", "$GATEWAY_PORT", "", true);
        assertThat(Pgbench.command(target, Workload.SELECT_ONLY, 8, 20)).isEqualTo(List.of("pgbench", "-h",
                "127.0.0.1", "-p", "5433", "-U", "extensa", "-n", "-P", "1", "-S", "-c", "8", "-j", "2", "-T", "20", "extensa"));
        assertThat(Pgbench.command(target.labelled(), Workload.TPC_B, 1, 5)).isEqualTo(List.of("pgbench", "-h",
                "127.0.0.1", "-p", "$GATEWAY_PORT", "-U", "extensa", "-n", "-P", "1", "-c", "1", "-j", "1", "-T", "5", "extensa"));
    }

    @Test
    void transactionsInAWindowComeFromTheProgressLines() {
        String progress = """
                progress: 1.0 s, 100.0 tps, lat 0.300 ms stddev 0.100, 0 failed
                progress: 2.0 s, 200.0 tps, lat 0.300 ms stddev 0.100, 0 failed
                progress: 3.0 s, 300.0 tps, lat 0.300 ms stddev 0.100, 0 failed
                progress: 4.0 s, 400.0 tps, lat 0.300 ms stddev 0.100, 0 failed
                progress: 5.0 s, 500.0 tps, lat 0.300 ms stddev 0.100, 0 failed
                """;
        // the window from second 2 to second 4 holds the seconds ending at 3.0 and 4.0
        assertThat(Pgbench.transactionsBetween(progress, 2, 4)).isEqualTo(700.0);
        assertThat(Pgbench.transactionsBetween("", 2, 4)).isZero();
    }

    @Test
    void targetsRotateSoEachRunsFirstOnce() {
        List<String> targets = List.of("direct", "gateway", "pgbouncer");
        assertThat(RelaySuite.rotated(targets, 0)).containsExactly("direct", "gateway", "pgbouncer");
        assertThat(RelaySuite.rotated(targets, 1)).containsExactly("gateway", "pgbouncer", "direct");
        assertThat(RelaySuite.rotated(targets, 5)).containsExactly("pgbouncer", "direct", "gateway");
    }
}
