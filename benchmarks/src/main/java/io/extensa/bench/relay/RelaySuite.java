package io.extensa.bench.relay;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import io.extensa.bench.system.ProcFs;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gateway as a pure relay (issue 2): pgbench select-only and TPC-B-like, 8 clients and 1,
 * against PostgreSQL directly over its Unix socket, through the gateway, and through PgBouncer in
 * session mode, all on the same PostgreSQL in the same run, interleaved. Measures TPS, latency and
 * each party's CPU per transaction, then profiles the gateway with JFR during an extra 8-client
 * select-only run.
 */
public final class RelaySuite implements Suite {

    static final String DIRECT = "direct";
    static final String GATEWAY = "gateway";
    static final String PGBOUNCER = "pgbouncer";
    static final int SCALE = 10;
    static final int[] CLIENTS = {8, 1};

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public String summary() {
        return "pgbench -S and TPC-B, 8 and 1 clients: PostgreSQL direct vs the Extensa gateway vs PgBouncer; "
                + "CPU per transaction and a JFR profile of the gateway";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        var settings = new RelaySettings(context.choose(3, 1), context.choose(20, 5), context.choose(5, 2));
        var pgbench = new Pgbench(stack);
        context.progress(name(), "pgbench -i -s " + SCALE + " (directly over the Unix socket)");
        pgbench.initialize(SCALE);

        List<RelayTarget> targets = new ArrayList<>();
        targets.add(new RelayTarget(DIRECT, stack.socketDir().toString(), 5432, stack.socketDir().toString(), "5432",
                "pgbench → PostgreSQL's Unix socket", false));
        targets.add(new RelayTarget(GATEWAY, "127.0.0.1", stack.gatewayPort(), "127.0.0.1", "$GATEWAY_PORT",
                "pgbench → Extensa gateway (TCP 127.0.0.1) → PostgreSQL's Unix socket", true));
        Optional<PgBouncer> bouncer = Optional.empty();
        Optional<String> bouncerMissing = Optional.empty();
        if (PgBouncer.binary().isPresent()) {
            bouncer = Optional.of(context.closeOnExit(PgBouncer.start(stack, stack.workDir("pgbouncer"))));
            targets.add(new RelayTarget(PGBOUNCER, "127.0.0.1", bouncer.get().port(), "127.0.0.1", "$PGBOUNCER_PORT",
                    "pgbench → PgBouncer (TCP 127.0.0.1, session pooling, SCRAM) → PostgreSQL's Unix socket", true));
            if (!bouncer.get().isPgBouncer()) {
                throw new IllegalStateException("pid " + bouncer.get().pid() + " is not pgbouncer; CPU accounting would be wrong");
            }
        } else {
            bouncerMissing = Optional.of("pgbouncer is not installed (Debian: `apt-get install pgbouncer`); "
                    + "its rows are missing");
            context.progress(name(), bouncerMissing.get());
        }
        long postgresPid = stack.postgresPid();
        long bouncerPid = bouncer.map(PgBouncer::pid).orElse(0L);

        List<RelayMeasurement> runs = new ArrayList<>();
        RelayMeasurement profiled;
        JfrProfile.Summary profile;
        double idleJvmMicrosPerSecond;
        try (Connection control = stack.direct("")) {
            for (RelayTarget target : targets) {
                context.progress(name(), "warm-up " + settings.warmUpSeconds() + " s, -S, 8 clients, " + target.name());
                prepare(control);
                pgbench.run(target, Workload.SELECT_ONLY, 8, settings.warmUpSeconds());
            }
            CpuReading idleStart = CpuReading.take(postgresPid, bouncerPid);
            Thread.sleep(5000);
            CpuReading.RunCost idle = CpuReading.take(postgresPid, bouncerPid).since(idleStart);
            idleJvmMicrosPerSecond = idle.gatewayJvm().totalMicros() / idle.seconds();
            int combination = 0;
            for (Workload workload : Workload.values()) {
                for (int clients : CLIENTS) {
                    for (int rep = 0; rep < settings.repetitions(); rep++) {
                        for (RelayTarget target : rotated(targets, rep + combination)) {
                            RelayMeasurement run = measure(pgbench, control, target, workload, clients, rep,
                                    settings.seconds(), postgresPid, bouncerPid);
                            runs.add(run);
                            context.progress(name(), String.format(java.util.Locale.ROOT,
                                    "%s, %d client(s), run %d/%d, %-9s %s; relay %.1f µs/tx",
                                    workload.key, clients, rep + 1, settings.repetitions(), target.name(),
                                    run.result(), run.relayMicrosPerTransaction()));
                        }
                    }
                    combination++;
                }
            }

            context.progress(name(), "profiling the gateway with JFR: -S, 8 clients, " + settings.seconds() + " s");
            RelayTarget gateway = targets.get(1);
            prepare(control);
            try (JfrProfile recording = JfrProfile.start()) {
                CpuReading before = CpuReading.take(postgresPid, bouncerPid);
                PgbenchResult result = pgbench.run(gateway, Workload.SELECT_ONLY, 8, settings.seconds());
                profiled = new RelayMeasurement(Workload.SELECT_ONLY, 8, gateway, 0, result,
                        CpuReading.take(postgresPid, bouncerPid).since(before), null);
                profile = recording.stopAndSummarize(stack.workDir("jfr").resolve("gateway-select-only-8.jfr"), 15);
            }
        }
        bouncer.ifPresent(PgBouncer::close);

        new RelayReport(settings, targets, runs, profiled, profile, idleJvmMicrosPerSecond, bouncerMissing,
                bouncer.map(PgBouncer::configText), Pgbench.version() + "; " + PgBouncer.version(), context)
                .write(report);
    }

    /** pgbench's own pre-run maintenance, done directly and outside the measured window, plus a checkpoint. */
    private static void prepare(Connection control) throws SQLException {
        try (Statement statement = control.createStatement()) {
            statement.execute("VACUUM pgbench_branches");
            statement.execute("VACUUM pgbench_tellers");
            statement.execute("TRUNCATE pgbench_history");
            statement.execute("CHECKPOINT");
        }
    }

    private static RelayMeasurement measure(Pgbench pgbench, Connection control, RelayTarget target,
            Workload workload, int clients, int rep, int seconds, long postgresPid, long bouncerPid)
            throws SQLException {
        prepare(control);
        long relayPid = switch (target.name()) {
            case GATEWAY -> ProcessHandle.current().pid();
            case PGBOUNCER -> bouncerPid;
            default -> 0;
        };
        List<Pgbench.Probe> probes = List.of(() -> relayPid > 0 ? ProcFs.contextSwitches(relayPid) : 0,
                () -> ProcFs.treeContextSwitches(postgresPid));
        CpuReading before = CpuReading.take(postgresPid, bouncerPid);
        Pgbench.Probed run = pgbench.run(target, workload, clients, seconds, probes);
        CpuReading.RunCost cost = CpuReading.take(postgresPid, bouncerPid).since(before);
        return new RelayMeasurement(workload, clients, target, rep, run.result(), cost, run.window());
    }

    /** The targets starting at a different one each repetition, so no target always runs first. */
    static <T> List<T> rotated(List<T> items, int by) {
        List<T> rotated = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rotated.add(items.get((i + by) % items.size()));
        }
        return rotated;
    }

    /** How long and how often. */
    record RelaySettings(int repetitions, int seconds, int warmUpSeconds) {
    }
}
