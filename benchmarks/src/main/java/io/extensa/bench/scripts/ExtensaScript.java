package io.extensa.bench.scripts;

import io.extensa.bench.BenchStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Extensa's side of the script suites: {@code EXEC sp_execute_external_script} as users write it,
 * sent through the gateway like any SQL, and a probe that tells whether the engine runs a
 * language yet (until it does, Extensa's rows are reported as pending).
 */
public final class ExtensaScript {

    public static final String PYTHON = "Python";
    public static final String R = "R";
    public static final String PENDING = "pending: engine";

    private static final Map<String, Optional<String>> PROBES = new ConcurrentHashMap<>();

    private ExtensaScript() {
    }

    /** {@code N'...'}: T-SQL's Unicode string literal, quotes doubled. */
    public static String nLiteral(String text) {
        return "N'" + text.replace("'", "''") + "'";
    }

    /** {@code EXEC sp_execute_external_script @language = N'...', @script = N'...'[, @input_data_1 = N'...']}. */
    public static String exec(String language, String script, Optional<String> inputQuery) {
        StringBuilder sql = new StringBuilder("EXEC sp_execute_external_script @language = ")
                .append(nLiteral(language)).append(", @script = ").append(nLiteral(script));
        inputQuery.ifPresent(query -> sql.append(", @input_data_1 = ").append(nLiteral(query)));
        return sql.toString();
    }

    /** The trivial call of issue 3a: one row in, the same row out. */
    public static String trivial(String language) {
        String script = language.equals(R) ? "OutputDataSet <- InputDataSet" : "OutputDataSet = InputDataSet";
        return exec(language, script, Optional.of("SELECT 1 AS x"));
    }

    /**
     * Why Extensa cannot run {@code language} yet, or empty when the trivial call works through the
     * gateway. Asked once per language and run.
     */
    public static Optional<String> unavailable(BenchStack stack, String language) {
        return PROBES.computeIfAbsent(stack.gatewayPort() + "/" + language, key -> probe(stack, language));
    }

    private static Optional<String> probe(BenchStack stack, String language) {
        try (Connection connection = stack.gateway(""); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(120);
            JdbcVariant.Outcome outcome = JdbcVariant.drain(statement, statement.execute(trivial(language)));
            if (outcome.firstRow().isEmpty() || !String.valueOf(outcome.firstRow().get(0)).startsWith("1")) {
                return Optional.of(PENDING + " (the trivial " + language + " call returned " + outcome.firstRow() + ")");
            }
            return Optional.empty();
        } catch (SQLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("").strip();
            return Optional.of(PENDING + " (" + language + " through the gateway: SQLSTATE " + e.getSQLState() + ", "
                    + message + ")");
        }
    }

    /** Extensa's variant if the engine runs the language, otherwise a pending row with the reason. */
    public static Variant orPending(BenchStack stack, String language, String label, String how,
            java.util.function.Supplier<Variant> variant) {
        Optional<String> reason = unavailable(stack, language);
        return reason.isPresent() ? Variant.pending(label, Side.EXTENSA, "gateway", how, reason.get()) : variant.get();
    }
}
