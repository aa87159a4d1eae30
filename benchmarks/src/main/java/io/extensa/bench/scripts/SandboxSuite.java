package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 4: what the sandbox costs a trivial call. The trivial Python call through the gateway on
 * three fresh Extensa stacks, one after another: the full sandbox with warm start (the default),
 * the same without the sandbox, and the full sandbox with the fork server off (every job a fresh
 * interpreter). The per-layer costs come from the sandbox helper itself (docs/security.md).
 */
public final class SandboxSuite implements Suite {

    private static final String PREPARED = "prepareThreshold=1";

    /** Untimed pause before each paced call, as in the trivial suite. */
    private static final long PACE_MILLIS = 100;

    /** @param standbys sp_configure 'standby satellites' (2 is the default) */
    private record Setup(String label, Map<String, String> settings, int standbys) {
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public String summary() {
        return "trivial Python call p50/p99 with the full sandbox warm and cold, and warm without the sandbox";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        List<Setup> setups = List.of(
                new Setup("sandbox, warm", Map.of(), 2),
                new Setup("sandbox, warm, no standby satellites", Map.of(), 0),
                new Setup("no sandbox, warm", Map.of("launchpad.sandbox", "false"), 2),
                new Setup("sandbox, cold", Map.of("launchpad.warm", "false"), 0));
        String sql = ExtensaScript.trivial(ExtensaScript.PYTHON);
        List<VariantResult> results = new ArrayList<>();
        for (Setup setup : setups) {
            boolean cold = setup.settings().containsKey("launchpad.warm");
            var plan = new VariantRunner.Plan(context.choose(cold ? 3 : 10, 2), 20, context.choose(20, 5));
            try (BenchStack stack = BenchStack.start(setup.settings())) {
                // the fork server preloads pandas and forks its spares in the background
                Thread.sleep(3000);
                if (ExtensaScript.unavailable(stack, ExtensaScript.PYTHON).isEmpty()) {
                    try (var connection = stack.gateway(""); var statement = connection.createStatement()) {
                        statement.execute("EXEC sp_configure 'standby satellites', " + setup.standbys());
                        statement.execute("RECONFIGURE");
                    }
                }
                String label = "Extensa Python, " + setup.label();
                List<Variant> variants = new ArrayList<>();
                variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql,
                        () -> new JdbcVariant(label, Side.EXTENSA, "gateway", () -> stack.gateway(PREPARED), sql,
                                JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1))));
                if (!cold) {
                    String paced = label + ", paced (" + PACE_MILLIS + " ms between calls)";
                    variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, paced, sql,
                            () -> new JdbcVariant(paced, Side.EXTENSA, "gateway", () -> stack.gateway(PREPARED), sql,
                                    JdbcVariant.Mode.PREPARED, Checks.firstValueIs(1))
                                    .before(() -> Thread.sleep(PACE_MILLIS))));
                }
                results.addAll(VariantRunner.run(context, name(), variants, plan));
            }
        }
        report.heading(2, "Suite `sandbox`: what isolation costs a trivial call");
        report.paragraph(String.format(Locale.ROOT, """
                Client-side latency with pgjdbc (prepared, `prepareThreshold=1`) of Extensa's trivial Python call \
                (`OutputDataSet = InputDataSet` on `SELECT 1 AS x`) through the gateway, on a fresh Extensa per \
                setup, one setup after the other: *sandbox, warm* is the default (every satellite in its own \
                namespaces as a worker account, forked from a pre-sandboxed spare, and started as a standby \
                satellite when the caller's previous call ended); *no standby satellites* sets sp_configure \
                `standby satellites` to 0 (the satellite is launched when the call comes); *no sandbox, warm* sets \
                `launchpad.sandbox = false`; *sandbox, cold* sets `launchpad.warm = false` (a fresh interpreter \
                importing pandas per call). Warm-up calls, then rounds of 20 calls, back to back and, for the warm \
                setups, *paced* with an untimed %d ms pause before each call; p50/p99 over all calls. \
                The cost of each sandbox layer is in docs/security.md ("What it costs", from \
                `extensa-sandbox --bench`).""", PACE_MILLIS));
        ResultTables.latencies(report, results);
        report.paragraph("Reproduce with `bin/bench sandbox" + context.quickFlag() + "`.");
    }
}
