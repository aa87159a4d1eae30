package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Issue 3a (and 4, 5): latency of a trivial call. Extensa's {@code OutputDataSet = InputDataSet}
 * on one row through the gateway, against a PL/Python and a PL/R function that return their
 * input, with pgjdbc in simple-protocol and prepared mode; plus the first call in a fresh session,
 * where in-database languages pay for loading their interpreter.
 */
public final class TrivialSuite implements Suite {

    private static final String SIMPLE = "preferQueryMode=simple";
    private static final String PREPARED = "prepareThreshold=1";
    /** Untimed pause before each paced call: time for the launchpad to have the next spare ready. */
    private static final long PACE_MILLIS = 100;

    @Override
    public String name() {
        return "trivial";
    }

    @Override
    public String summary() {
        return "trivial call latency p50/p99: Extensa Python/R vs PL/Python and PL/R functions (simple and prepared), "
                + "and the first call in a fresh session";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        Optional<String> plpython = PeerFunctions.installPlPython(stack);
        Optional<String> plr = PeerFunctions.installPlR(stack);

        List<Variant> warm = new ArrayList<>();
        for (String language : List.of(ExtensaScript.PYTHON, ExtensaScript.R)) {
            String sql = ExtensaScript.trivial(language);
            warm.add(ExtensaScript.orPending(stack, language, "Extensa " + language + ", simple protocol", sql,
                    () -> new JdbcVariant("Extensa " + language + ", simple protocol", Side.EXTENSA, "gateway",
                            () -> stack.gateway(SIMPLE), sql, JdbcVariant.Mode.STATEMENT, Checks.firstValueIs(1))));
            warm.add(ExtensaScript.orPending(stack, language, "Extensa " + language + ", prepared", sql,
                    () -> new JdbcVariant("Extensa " + language + ", prepared", Side.EXTENSA, "gateway",
                            () -> stack.gateway(PREPARED), sql, JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1))));
            // a call that finds its spare ready: what a session sees when calls do not come back to back
            String paced = "Extensa " + language + ", prepared, paced (" + PACE_MILLIS + " ms between calls)";
            warm.add(ExtensaScript.orPending(stack, language, paced, sql,
                    () -> new JdbcVariant(paced, Side.EXTENSA, "gateway", () -> stack.gateway(PREPARED), sql,
                            JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1)).before(() -> Thread.sleep(PACE_MILLIS))));
        }
        addPeer(warm, stack, "PL/Python", "SELECT bench_plpy_echo(1)", plpython);
        addPeer(warm, stack, "PL/R", "SELECT bench_plr_echo(1)", plr);
        warm.add(new JdbcVariant("SELECT 1, prepared", Side.REFERENCE, "direct", () -> stack.direct(PREPARED),
                "SELECT 1", JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1)));
        warm.add(new JdbcVariant("SELECT 1, prepared", Side.REFERENCE, "gateway", () -> stack.gateway(PREPARED),
                "SELECT 1", JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1)));
        var warmPlan = new VariantRunner.Plan(context.choose(10, 2), 20, context.choose(20, 5));
        List<VariantResult> warmResults = VariantRunner.run(context, name(), warm, warmPlan);

        List<Variant> fresh = new ArrayList<>();
        String pythonSql = ExtensaScript.trivial(ExtensaScript.PYTHON);
        fresh.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, "Extensa Python, first call", pythonSql,
                () -> new FreshSessionVariant("Extensa Python, first call", Side.EXTENSA, "gateway",
                        () -> stack.gateway(""), pythonSql, Checks.firstValueIs(1))));
        String rSql = ExtensaScript.trivial(ExtensaScript.R);
        fresh.add(ExtensaScript.orPending(stack, ExtensaScript.R, "Extensa R, first call", rSql,
                () -> new FreshSessionVariant("Extensa R, first call", Side.EXTENSA, "gateway",
                        () -> stack.gateway(""), rSql, Checks.firstValueIs(1))));
        fresh.add(freshPeer(stack, "PL/Python, first call", "SELECT bench_plpy_echo(1)", plpython));
        fresh.add(freshPeer(stack, "PL/Python importing pandas, first call", "SELECT bench_plpy_pandas_echo(1)",
                plpython));
        fresh.add(freshPeer(stack, "PL/R, first call", "SELECT bench_plr_echo(1)", plr));
        fresh.add(new FreshSessionVariant("SELECT 1, first call", Side.REFERENCE, "direct", () -> stack.direct(""),
                "SELECT 1", Checks.firstValueIs(1)));
        var freshPlan = new VariantRunner.Plan(context.choose(20, 3), 1, 0);
        List<VariantResult> freshResults = VariantRunner.run(context, name(), fresh, freshPlan);

        report.heading(2, "Suite `trivial`: latency of a trivial call");
        report.paragraph(String.format(java.util.Locale.ROOT, """
                Client-side latency with pgjdbc of one call that returns its one-row input. Extensa runs \
                `OutputDataSet = InputDataSet` on `SELECT 1 AS x` through the gateway; the peers are functions \
                returning their argument, called directly over PostgreSQL's Unix socket and through the gateway \
                (which relays them untouched). *simple protocol*: `preferQueryMode=simple`; *prepared*: one \
                `PreparedStatement` reused, server-side prepared from the first call (`prepareThreshold=1`); \
                *paced*: the same with an untimed pause of %d ms before each call, so every call finds a spare \
                ready, where back-to-back calls also wait for the previous job's teardown and the next spare. \
                %d warm-up calls per variant, then %d rounds of %d calls, variants taking turns in rotating order; \
                p50/p99 over all %d calls.""", PACE_MILLIS, warmPlan.warmUpCalls(), warmPlan.rounds(), warmPlan.callsPerRound(),
                warmPlan.calls()));
        ResultTables.latencies(report, warmResults);
        report.paragraph(String.format(java.util.Locale.ROOT, """
                First call in a new session: connect (not timed), time the first call, disconnect; %d times per \
                variant. In-database languages load their interpreter into the new backend here.""",
                freshPlan.rounds()));
        ResultTables.latencies(report, freshResults);
        report.paragraph("Reproduce with `bin/bench trivial" + context.quickFlag() + "`. The statements:");
        ResultTables.statements(report, warmResults);
        report.paragraph("The peer functions:");
        report.code("sql", PeerFunctions.source("bench_plpy_echo", "bench_plpy_pandas_echo", "bench_plr_echo"));
    }

    private static void addPeer(List<Variant> variants, BenchStack stack, String language, String sql,
            Optional<String> unavailable) {
        String[][] shapes = {
            {"simple protocol", "direct", SIMPLE},
            {"prepared", "direct", PREPARED},
            {"simple protocol", "gateway", SIMPLE},
            {"prepared", "gateway", PREPARED},
        };
        for (String[] shape : shapes) {
            String label = language + ", " + shape[0];
            String path = shape[1];
            String parameters = shape[2];
            if (unavailable.isPresent()) {
                variants.add(Variant.pending(label, Side.PEER, path, sql, unavailable.get()));
                continue;
            }
            ConnectionSource source = path.equals("direct") ? () -> stack.direct(parameters)
                    : () -> stack.gateway(parameters);
            JdbcVariant.Mode mode = parameters.equals(PREPARED) ? JdbcVariant.Mode.PREPARED : JdbcVariant.Mode.STATEMENT;
            variants.add(new JdbcVariant(label, Side.PEER, path, source, sql, mode, Checks.firstValueIs(1)));
        }
    }

    private static Variant freshPeer(BenchStack stack, String label, String sql, Optional<String> unavailable) {
        if (unavailable.isPresent()) {
            return Variant.pending(label, Side.PEER, "direct", sql, unavailable.get());
        }
        return new FreshSessionVariant(label, Side.PEER, "direct", () -> stack.direct(""), sql, Checks.firstValueIs(1));
    }
}
