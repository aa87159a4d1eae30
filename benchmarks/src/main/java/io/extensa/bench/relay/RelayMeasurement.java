package io.extensa.bench.relay;

/** One pgbench run of the relay suite and what it cost. */
record RelayMeasurement(Workload workload, int clients, RelayTarget target, int repetition, PgbenchResult result,
        CpuReading.RunCost cost) {

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
