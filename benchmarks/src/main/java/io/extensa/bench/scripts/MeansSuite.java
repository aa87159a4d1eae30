package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import io.extensa.bench.system.CommandOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 3b (and 5): per-column means of 1M rows × 3 columns, float8 and numeric(12,6). Extensa
 * (pandas through the gateway, later R) against PL/Python (cursor, execute, execute into pandas),
 * PL/R (pg.spi.exec, cursor), a psycopg2 client pulling the rows into pandas (read_sql, COPY CSV +
 * read_csv), SQL avg(), and the ceiling: one binary COPY of the same query to a client.
 */
public final class MeansSuite implements Suite {

    static final String PSYCOPG2_SCRIPT = "psycopg2_means.py";
    static final String CEILING_LABEL = "binary COPY out, pgjdbc";
    private static final Pattern PSQL_TIME = Pattern.compile("^Time: ([0-9.]+) ms", Pattern.MULTILINE);
    private static final Pattern KEY_VALUE = Pattern.compile("^(\\w+)=(.*)$", Pattern.MULTILINE);

    @Override
    public String name() {
        return "means";
    }

    @Override
    public String summary() {
        return "1M rows × 3 float8 (and numeric(12,6)) → per-column means: Extensa vs PL/Python, PL/R, psycopg2 + "
                + "pandas, SQL avg() and the binary COPY out ceiling";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        context.progress(name(), "creating " + BenchData.FLOAT_TABLE + " and " + BenchData.NUMERIC_TABLE);
        BenchData.ensureInputTables(stack);
        Optional<String> plpython = PeerFunctions.installPlPython(stack);
        Optional<String> plr = PeerFunctions.installPlR(stack);
        Path script = extractScript(stack);
        var plan = new VariantRunner.Plan(context.choose(5, 1), 1, 0);

        report.heading(2, "Suite `means`: 1M rows × 3 columns → per-column means");
        report.paragraph(String.format(Locale.ROOT, """
                Table `%s`: 1,000,000 rows of three `float8` columns from `random()` (seeded), vacuumed; \
                `%s`: the same values as `numeric(12,6)`. Every variant computes the three means and its first \
                result is checked against PostgreSQL's `avg()`. Each variant is warmed up once (connection open, \
                libraries imported, table cached), then timed %d time(s), variants taking turns in rotating order. \
                Times are client-side wall clock with pgjdbc, except the psycopg2 client and psql, which time \
                themselves (imports and connecting excluded). The ratio column compares the median with the \
                ceiling: pgjdbc reading `COPY (SELECT a, b, c ...) TO STDOUT (FORMAT binary)` over the Unix \
                socket into a discarding stream.""", BenchData.FLOAT_TABLE, BenchData.NUMERIC_TABLE, plan.rounds()));

        List<VariantResult> firstTable = new ArrayList<>();
        Map<String, Double> importMillis = new HashMap<>();
        for (String table : List.of(BenchData.FLOAT_TABLE, BenchData.NUMERIC_TABLE)) {
            double[] expected = BenchData.sqlMeans(stack, table);
            List<Variant> variants = variants(stack, table, expected, plpython, plr, script, importMillis);
            List<VariantResult> results = VariantRunner.run(context, name() + " " + table, variants, plan);
            if (firstTable.isEmpty()) {
                firstTable.addAll(results);
            }
            boolean numeric = table.equals(BenchData.NUMERIC_TABLE);
            report.heading(3, numeric ? "numeric(12,6) columns (`" + table + "`)" : "float8 columns (`" + table + "`)");
            ResultTables.durations(report, results, results.stream()
                    .filter(r -> r.variant().label().equals(CEILING_LABEL)).findFirst(), 0);
        }
        List<String> notes = new ArrayList<>();
        if (!importMillis.isEmpty()) {
            notes.add(String.format(Locale.ROOT, "psycopg2 client: importing pandas and psycopg2 took %.0f ms and is "
                    + "not in its numbers (the last run's value).", importMillis.values().iterator().next()));
        }
        notes.add("SQL `avg()` may use parallel workers (PostgreSQL's default max_parallel_workers_per_gather = 2).");
        notes.add("psql's number is psql's own `\\timing` of `\\copy ... TO '/dev/null'`; pgjdbc's is around "
                + "`CopyManager.copyOut`. Through the gateway the same COPY is relayed over TCP.");
        report.bullets(notes);
        report.paragraph("Reproduce with `bin/bench means" + context.quickFlag() + "`. The statements and commands "
                + "for `" + BenchData.FLOAT_TABLE + "` (the same with `" + BenchData.NUMERIC_TABLE + "` for numeric):");
        ResultTables.statements(report, firstTable);
        report.paragraph("The peer functions (the query is passed as an argument):");
        report.code("sql", PeerFunctions.source("bench_plpy_means_cursor", "bench_plpy_means_execute",
                "bench_plpy_means_pandas", "bench_plr_means_exec", "bench_plr_means_cursor"));
    }

    private List<Variant> variants(BenchStack stack, String table, double[] expected, Optional<String> plpython,
            Optional<String> plr, Path script, Map<String, Double> importMillis) {
        String query = "SELECT a, b, c FROM " + table;
        boolean numeric = table.equals(BenchData.NUMERIC_TABLE);
        List<Variant> variants = new ArrayList<>();

        String pythonScript = numeric
                ? "import pandas\nOutputDataSet = pandas.DataFrame([InputDataSet.astype(\"float64\").mean()])"
                : "import pandas\nOutputDataSet = pandas.DataFrame([InputDataSet.mean()])";
        String pythonSql = ExtensaScript.exec(ExtensaScript.PYTHON, pythonScript, Optional.of(query));
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, "Extensa Python (pandas mean)", pythonSql,
                () -> new JdbcVariant("Extensa Python (pandas mean)", Side.EXTENSA, "gateway", () -> stack.gateway(""),
                        pythonSql, JdbcVariant.Mode.STATEMENT, Checks.means(expected))));
        String rScript = numeric
                ? "OutputDataSet <- as.data.frame(t(colMeans(data.frame(lapply(InputDataSet, as.numeric)))))"
                : "OutputDataSet <- as.data.frame(t(colMeans(InputDataSet)))";
        String rSql = ExtensaScript.exec(ExtensaScript.R, rScript, Optional.of(query));
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.R, "Extensa R (colMeans)", rSql,
                () -> new JdbcVariant("Extensa R (colMeans)", Side.EXTENSA, "gateway", () -> stack.gateway(""),
                        rSql, JdbcVariant.Mode.STATEMENT, Checks.means(expected))));

        String literal = "'" + query + "'";
        peer(variants, stack, "PL/Python plpy.cursor", "SELECT bench_plpy_means_cursor(" + literal + ")", expected, plpython);
        peer(variants, stack, "PL/Python plpy.execute", "SELECT bench_plpy_means_execute(" + literal + ")", expected,
                plpython);
        peer(variants, stack, "PL/Python plpy.execute → pandas", "SELECT bench_plpy_means_pandas(" + literal + ")",
                expected, plpython);
        peer(variants, stack, "PL/R pg.spi.exec", "SELECT bench_plr_means_exec(" + literal + ")", expected, plr);
        peer(variants, stack, "PL/R cursor", "SELECT bench_plr_means_cursor(" + literal + ")", expected, plr);

        for (String method : List.of("read_sql", "copy_csv")) {
            String label = method.equals("read_sql") ? "psycopg2 + pandas.read_sql" : "psycopg2 COPY CSV + read_csv";
            List<String> command = List.of(BenchStack.PYTHON, script.toString(), table, method);
            variants.add(new CommandVariant(label, Side.PEER, "client, Unix socket",
                    "PGHOST=" + stack.socketDir() + " " + String.join(" ", command), command, pythonEnvironment(stack),
                    output -> psycopg2Millis(output, expected, importMillis), Duration.ofMinutes(5)));
        }

        variants.add(new JdbcVariant("SQL avg()", Side.REFERENCE, "direct", () -> stack.direct(""),
                "SELECT avg(a), avg(b), avg(c) FROM " + table, JdbcVariant.Mode.STATEMENT, Checks.means(expected)));
        String copy = "COPY (" + query + ") TO STDOUT (FORMAT binary)";
        variants.add(new CopyOutVariant(CEILING_LABEL, Side.CEILING, "direct", () -> stack.direct(""), copy,
                BenchData.ROWS));
        variants.add(new CopyOutVariant(CEILING_LABEL, Side.CEILING, "gateway", () -> stack.gateway(""), copy,
                BenchData.ROWS));
        String psqlCopy = "\\copy (" + query + ") TO '/dev/null' (FORMAT binary)";
        variants.add(new CommandVariant("binary COPY out, psql", Side.CEILING, "direct",
                "psql -h " + stack.socketDir() + " -c '\\timing on' -c \"" + psqlCopy + "\"",
                psqlCommand(stack, psqlCopy), stack.libpqEnvironment(), MeansSuite::psqlMillis, Duration.ofMinutes(5)));
        return variants;
    }

    private static void peer(List<Variant> variants, BenchStack stack, String label, String sql, double[] expected,
            Optional<String> unavailable) {
        if (unavailable.isPresent()) {
            variants.add(Variant.pending(label, Side.PEER, "direct", sql, unavailable.get()));
        } else {
            variants.add(new JdbcVariant(label, Side.PEER, "direct", () -> stack.direct(""), sql,
                    JdbcVariant.Mode.STATEMENT, Checks.means(expected)));
        }
    }

    static List<String> psqlCommand(BenchStack stack, String metaCommand) {
        return List.of("psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", stack.socketDir().toString(), "-p", "5432",
                "-U", BenchStack.ROLE, "-d", BenchStack.DATABASE, "-c", "\\timing on", "-c", metaCommand);
    }

    static double psqlMillis(CommandOutput output) {
        Matcher time = PSQL_TIME.matcher(output.stdout());
        if (!time.find()) {
            throw new IllegalStateException("psql printed no timing:\n" + output.stdout() + output.stderr());
        }
        return Double.parseDouble(time.group(1));
    }

    static Map<String, String> pythonEnvironment(BenchStack stack) {
        Map<String, String> environment = new HashMap<>(stack.libpqEnvironment());
        environment.put("PGHOST", stack.socketDir().toString());
        environment.put("PGPORT", "5432");
        return environment;
    }

    static double psycopg2Millis(CommandOutput output, double[] expected, Map<String, Double> importMillis) {
        Map<String, String> values = new HashMap<>();
        Matcher line = KEY_VALUE.matcher(output.stdout());
        while (line.find()) {
            values.put(line.group(1), line.group(2).strip());
        }
        if (!values.containsKey("run_ms") || !values.containsKey("means")) {
            throw new IllegalStateException("the psycopg2 client printed no result:\n" + output.stdout() + output.stderr());
        }
        Checks.means(expected, Arrays.stream(values.get("means").split(",")).map(Double::valueOf).toList());
        if (values.containsKey("import_ms")) {
            importMillis.put("import", Double.valueOf(values.get("import_ms")));
        }
        return Double.parseDouble(values.get("run_ms"));
    }

    /** Copies the psycopg2 program out of the jar into the work directory, readable by python3. */
    static Path extractScript(BenchStack stack) throws IOException {
        Path file = stack.workDir("scripts").resolve(PSYCOPG2_SCRIPT);
        try (InputStream in = MeansSuite.class.getResourceAsStream("/io/extensa/bench/" + PSYCOPG2_SCRIPT)) {
            if (in == null) {
                throw new IOException(PSYCOPG2_SCRIPT + " is missing from the class path");
            }
            Files.write(file, in.readAllBytes());
        }
        return file;
    }
}
