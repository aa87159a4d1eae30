package io.extensa.bench.relay;

import io.extensa.bench.BenchContext;
import io.extensa.bench.Format;
import io.extensa.bench.Report;
import io.extensa.bench.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Turns the relay suite's measurements into its report section. */
final class RelayReport {

    private final RelaySuite.RelaySettings settings;
    private final List<RelayTarget> targets;
    private final List<RelayMeasurement> runs;
    private final RelayMeasurement profiled;
    private final JfrProfile.Summary profile;
    private final double idleJvmMicrosPerSecond;
    private final Optional<String> bouncerMissing;
    private final Optional<String> bouncerConfig;
    private final String versions;
    private final BenchContext context;

    RelayReport(RelaySuite.RelaySettings settings, List<RelayTarget> targets, List<RelayMeasurement> runs,
            RelayMeasurement profiled, JfrProfile.Summary profile, double idleJvmMicrosPerSecond,
            Optional<String> bouncerMissing, Optional<String> bouncerConfig, String versions, BenchContext context) {
        this.settings = settings;
        this.targets = targets;
        this.runs = runs;
        this.profiled = profiled;
        this.profile = profile;
        this.idleJvmMicrosPerSecond = idleJvmMicrosPerSecond;
        this.bouncerMissing = bouncerMissing;
        this.bouncerConfig = bouncerConfig;
        this.versions = versions;
        this.context = context;
    }

    void write(Report report) {
        report.heading(2, "Suite `relay`: pgbench direct vs through the gateway vs through PgBouncer");
        report.paragraph(String.format(Locale.ROOT, """
                One managed PostgreSQL (default settings, Unix socket only), `pgbench -i -s %d` once. For each \
                workload and client count, %d run(s) of %d s per target, the targets interleaved in an order that \
                rotates every repetition, after a %d s select-only warm-up of each target. Before every run the \
                harness does pgbench's own pre-run vacuum directly (`VACUUM pgbench_branches`, `VACUUM \
                pgbench_tellers`, `TRUNCATE pgbench_history`) plus a `CHECKPOINT`, then runs pgbench with `-n`, so \
                the measured window holds the run only. Numbers are medians over the runs; CPU is read from \
                /proc before and after each run.""",
                RelaySuite.SCALE, settings.repetitions(), settings.seconds(), settings.warmUpSeconds()));
        List<String> targetLines = new ArrayList<>();
        for (RelayTarget target : targets) {
            targetLines.add("**" + target.name() + "**: " + target.description());
        }
        bouncerMissing.ifPresent(targetLines::add);
        targetLines.add("PostgreSQL listens on no TCP port in the managed setup, so there is no \"direct over TCP\" "
                + "row: both relays' rows include the client's TCP loopback hop, which the direct rows do not pay "
                + "(a loopback TCP round trip costs more than a Unix-socket one).");
        report.bullets(targetLines);
        report.code("sh", commands());

        for (Workload workload : Workload.values()) {
            for (int clients : RelaySuite.CLIENTS) {
                report.heading(3, workload.title + ", " + clients + (clients == 1 ? " client" : " clients"));
                report.table(throughputTable(workload, clients));
            }
        }
        report.heading(3, "CPU per transaction");
        report.paragraph("""
                Median over the runs of CPU time (user + system) divided by transactions processed. **relay** is \
                the gateway's JVM (this harness's JVM: it only waits for pgbench meanwhile; JIT and GC included) or \
                the pgbouncer process; **PostgreSQL** is the postmaster and all its processes; **pgbench** is the \
                client. **switches/tx**: context switches (voluntary and involuntary, all threads) per transaction, \
                counted from /proc between the 2nd second of a run and 2 s before its end, against the transactions \
                pgbench reported (`-P 1`) for that window; each is a thread going to sleep or being preempted, and \
                the wake-up that follows costs kernel time. **others busy** is the share of the whole machine \
                (user + system time, all cores) that other processes used during the runs: anything above a few \
                percent means the machine was shared and absolute numbers are low.""");
        report.table(cpuTable());
        writeProfile(report);
    }

    private String commands() {
        StringBuilder text = new StringBuilder("bin/bench relay" + context.quickFlag() + "\n");
        text.append("# what it runs ($WORK/data is this run's data directory, the ports are ephemeral)\n");
        text.append("# ").append(versions).append('\n');
        text.append("pgbench -i -q -s ").append(RelaySuite.SCALE).append(" -h ").append(targets.get(0).host())
                .append(" -p 5432 -U extensa extensa\n");
        for (RelayTarget target : targets) {
            text.append(String.join(" ", Pgbench.command(target.labelled(), Workload.SELECT_ONLY, 8, settings.seconds())))
                    .append('\n');
        }
        text.append("# TPC-B-like: the same without -S; 1 client: -c 1 -j 1\n");
        bouncerConfig.ifPresent(config -> text.append("# pgbouncer.ini (auth_file holds the role's SCRAM verifier "
                + "from pg_authid)\n").append(config.strip().replaceAll("listen_port = \\d+", "listen_port = \\$PGBOUNCER_PORT")
                .replaceAll("(?m)^", "#   ").replaceAll("(?m)[ \\t]+$", "")).append('\n'));
        return text.toString();
    }

    private Report.Table throughputTable(Workload workload, int clients) {
        var table = new Report.Table("target", "TPS (median)", "TPS min–max", "latency avg (ms)", "TPS vs direct",
                "latency added vs direct (ms)").rightAligned(1, 2, 3, 4, 5);
        double directTps = median(workload, clients, RelaySuite.DIRECT, m -> m.result().tps());
        double directLatency = median(workload, clients, RelaySuite.DIRECT, m -> m.result().latencyMs());
        for (RelayTarget target : targets) {
            Samples tps = samples(workload, clients, target.name(), m -> m.result().tps());
            Samples latency = samples(workload, clients, target.name(), m -> m.result().latencyMs());
            boolean direct = target.name().equals(RelaySuite.DIRECT);
            table.row(target.name(), Format.count(tps.median()),
                    Format.count(tps.min()) + "–" + Format.count(tps.max()),
                    Format.decimal(latency.median(), 3),
                    direct ? "100%" : Format.percent(tps.median() / directTps),
                    direct ? "" : String.format(Locale.ROOT, "%+.3f", latency.median() - directLatency));
        }
        return table;
    }

    private Report.Table cpuTable() {
        var table = new Report.Table("workload", "clients", "target", "relay µs/tx", "relay in kernel",
                "relay switches/tx", "PostgreSQL µs/tx", "PostgreSQL switches/tx", "pgbench µs/tx", "others busy")
                .rightAligned(1, 3, 4, 5, 6, 7, 8, 9);
        for (Workload workload : Workload.values()) {
            for (int clients : RelaySuite.CLIENTS) {
                for (RelayTarget target : targets) {
                    String name = target.name();
                    table.row(workload.key, clients, name,
                            target.relay() ? Format.decimal(median(workload, clients, name,
                                    RelayMeasurement::relayMicrosPerTransaction), 1) : "–",
                            target.relay() ? Format.percent(median(workload, clients, name,
                                    RelayMeasurement::relaySystemShare)) : "–",
                            target.relay() ? Format.decimal(median(workload, clients, name,
                                    RelayMeasurement::relaySwitchesPerTransaction), 2) : "–",
                            Format.decimal(median(workload, clients, name,
                                    RelayMeasurement::postgresMicrosPerTransaction), 1),
                            Format.decimal(median(workload, clients, name,
                                    RelayMeasurement::postgresSwitchesPerTransaction), 2),
                            Format.decimal(median(workload, clients, name,
                                    RelayMeasurement::pgbenchMicrosPerTransaction), 1),
                            Format.percent(median(workload, clients, name, m -> m.cost().othersShareOfMachine())));
                }
            }
        }
        return table;
    }

    private void writeProfile(Report report) {
        Workload s = Workload.SELECT_ONLY;
        report.heading(3, "What the gateway spends its CPU on (pgbench -S, 8 clients)");
        List<String> facts = new ArrayList<>();
        double gatewayMicros = median(s, 8, RelaySuite.GATEWAY, RelayMeasurement::relayMicrosPerTransaction);
        double gatewayKernel = median(s, 8, RelaySuite.GATEWAY, RelayMeasurement::relaySystemShare);
        facts.add(String.format(Locale.ROOT, "Gateway JVM: **%.1f µs of CPU per transaction**, %s of it in kernel mode "
                + "(socket reads and writes, thread wake-ups), in the measured runs.", gatewayMicros,
                Format.percent(gatewayKernel)));
        if (targets.stream().anyMatch(t -> t.name().equals(RelaySuite.PGBOUNCER))) {
            double bouncerMicros = median(s, 8, RelaySuite.PGBOUNCER, RelayMeasurement::relayMicrosPerTransaction);
            double bouncerKernel = median(s, 8, RelaySuite.PGBOUNCER, RelayMeasurement::relaySystemShare);
            facts.add(String.format(Locale.ROOT, "PgBouncer: **%.1f µs per transaction**, %s in kernel mode: the "
                    + "gateway uses %s of PgBouncer's CPU per transaction.", bouncerMicros, Format.percent(bouncerKernel),
                    Format.ratio(gatewayMicros / bouncerMicros)));
        }
        double tps = median(s, 8, RelaySuite.GATEWAY, m -> m.result().tps());
        facts.add(String.format(Locale.ROOT, "The JVM at rest (measured after the warm-up, before the runs) used %.0f µs "
                + "of CPU per second (JIT, GC and housekeeping threads), %.2f µs per transaction at the measured rate; "
                + "it is included in the gateway's number.", idleJvmMicrosPerSecond, idleJvmMicrosPerSecond / tps));
        Samples allocated = samples(s, 8, RelaySuite.GATEWAY, m -> m.cost().allocatedBytes() < 0 ? 0
                : (double) m.cost().allocatedBytes() / m.result().transactions());
        Samples gcs = samples(s, 8, RelaySuite.GATEWAY, m -> m.cost().gcCount());
        facts.add(String.format(Locale.ROOT, "Allocation: %.0f bytes per transaction (all JVM threads); %.0f garbage "
                + "collections per %d s run (median).", allocated.median(), gcs.median(), settings.seconds()));
        JfrProfile.Tally tally = profile.best();
        facts.add(String.format(Locale.ROOT, "Profiled run (JFR on): %s TPS (unprofiled median %s), %.1f µs of gateway "
                + "CPU per transaction; %d CPU-time samples (%d unwalkable), %d execution samples; %d GCs with %.1f ms "
                + "of pauses.", Format.count(profiled.result().tps()), Format.count(tps),
                profiled.relayMicrosPerTransaction(), profile.cpuTime().samples(), profile.cpuTime().failed(),
                profile.execution().samples(), profile.gcCount(), profile.gcPauseMillis()));
        report.bullets(facts);

        if (tally == profile.cpuTime()) {
            report.paragraph("""
                    The tables below count JFR's CPU-time samples (`jdk.CPUTimeSample`, JDK 25+): one sample per \
                    10 ms of CPU a thread used, in Java code or inside a system call alike, so the shares are \
                    shares of the gateway's CPU. A native method on top (`read0`, `write0`, `park`, `unpark`) \
                    means the kernel work it asked for. Thread groups (the number in a thread's name removed): \
                    `pg-client-*` reads a client and forwards to PostgreSQL, `pg-backend-*` reads PostgreSQL and \
                    forwards to the client.""");
        } else {
            report.paragraph("""
                    This JDK has no CPU-time sampler (JDK 25+), so the tables count execution samples \
                    (`jdk.ExecutionSample`, every 10 ms), which see only threads running Java code: time inside \
                    system calls is missing, which is why the kernel share above matters. Thread groups (the \
                    number in a thread's name removed): `pg-client-*` reads a client and forwards to PostgreSQL, \
                    `pg-backend-*` reads PostgreSQL and forwards to the client.""");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        var threads = new Report.Table("thread group", "samples", "share", "CPU user (s)", "CPU system (s)")
                .rightAligned(1, 2, 3, 4);
        for (JfrProfile.Entry entry : tally.byThreadGroup()) {
            double[] load = profile.threadLoad().getOrDefault(entry.name(), new double[2]);
            threads.row(entry.name(), entry.count(), share(entry.count(), tally), Format.decimal(load[0] * cores, 2),
                    Format.decimal(load[1] * cores, 2));
        }
        report.table(threads);
        report.paragraph("Where the CPU was: the method on top of the sampled stack.");
        report.table(entries("top frame", tally.topFrames(), tally));
        report.paragraph("Which of Extensa's code paths it was spent for: the innermost `io.extensa` method on each "
                + "sampled stack (the JDK and kernel work it called included).");
        report.table(entries("innermost Extensa frame", tally.extensaFrames(), tally));
        report.table(entries("package of the top frame", tally.topPackages(), tally));
    }

    private static Report.Table entries(String title, List<JfrProfile.Entry> entries, JfrProfile.Tally tally) {
        var table = new Report.Table(title, "samples", "share").rightAligned(1, 2);
        for (JfrProfile.Entry entry : entries) {
            table.row("`" + entry.name() + "`", entry.count(), share(entry.count(), tally));
        }
        return table;
    }

    private static String share(long count, JfrProfile.Tally tally) {
        return tally.samples() == 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", 100.0 * count / tally.samples());
    }

    private Samples samples(Workload workload, int clients, String target, ToDoubleFunction<RelayMeasurement> value) {
        Samples samples = new Samples();
        for (RelayMeasurement run : runs) {
            if (run.workload() == workload && run.clients() == clients && run.target().name().equals(target)) {
                samples.add(value.applyAsDouble(run));
            }
        }
        return samples;
    }

    private double median(Workload workload, int clients, String target, ToDoubleFunction<RelayMeasurement> value) {
        Samples samples = samples(workload, clients, target, value);
        return samples.isEmpty() ? Double.NaN : samples.median();
    }
}
