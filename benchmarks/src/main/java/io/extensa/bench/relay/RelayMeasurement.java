package io.extensa.bench.relay;

/**
 * One pgbench run of the relay suite and what it cost.
 *
 * @param window context switches of the relay (index 0) and of PostgreSQL (index 1) read while the
 *               connections were open, with the transactions done meanwhile; null when not probed
 */
record RelayMeasurement(Workload workload, int clients, RelayTarget target, int repetition, PgbenchResult result,
        CpuReading.RunCost cost, Pgbench.Window window) {

    double relaySwitchesPerTransaction() {
        return window == null || !target.relay() ? 0 : window.deltas()[0] / window.transactions();
    }

    double postgresSwitchesPerTransaction() {
        return window == null ? 0 : window.deltas()[1] / window.transactions();
    }

    double relayMicrosPerTransaction() {
        return switch (target.name()) {
            case RelaySuite.GATEWAY -> cost.gatewayJvm().totalMicros() / result.transactions();
            case RelaySuite.PGBOUNCER -> cost.pgbouncer().totalMicros() / result.transactions();
            default -> 0;
        };
    }

    double relaySystemShare() {
        return switch (target.name()) {
            case RelaySuite.GATEWAY -> cost.gatewayJvm().systemShare();
            case RelaySuite.PGBOUNCER -> cost.pgbouncer().systemShare();
            default -> 0;
        };
    }

    double postgresMicrosPerTransaction() {
        return cost.postgres().totalMicros() / result.transactions();
    }

    double pgbenchMicrosPerTransaction() {
        return cost.pgbench().totalMicros() / result.transactions();
    }
}
