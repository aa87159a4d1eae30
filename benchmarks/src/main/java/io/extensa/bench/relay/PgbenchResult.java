package io.extensa.bench.relay;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers pgbench prints at the end of a run.
 *
 * @param tps          transactions per second, without initial connection time
 * @param latencyMs    average latency per transaction
 * @param transactions transactions actually processed
 * @param failed       failed transactions (PostgreSQL 15's pgbench reports them)
 */
public record PgbenchResult(double tps, double latencyMs, long transactions, long failed) {

    private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+) \\(without initial connection time\\)",
            Pattern.MULTILINE);
    private static final Pattern LATENCY = Pattern.compile("^latency average = ([0-9.]+) ms", Pattern.MULTILINE);
    private static final Pattern PROCESSED = Pattern.compile("^number of transactions actually processed: (\\d+)",
            Pattern.MULTILINE);
    private static final Pattern FAILED = Pattern.compile("^number of failed transactions: (\\d+)", Pattern.MULTILINE);

    /** Parses pgbench's standard output; fails with the output when a number is missing. */
    public static PgbenchResult parse(String stdout) {
        return new PgbenchResult(
                Double.parseDouble(find(TPS, stdout, "tps")),
                Double.parseDouble(find(LATENCY, stdout, "latency average")),
                Long.parseLong(find(PROCESSED, stdout, "transactions processed")),
                FAILED.matcher(stdout).find() ? Long.parseLong(find(FAILED, stdout, "failed")) : 0);
    }

    private static String find(Pattern pattern, String text, String what) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("pgbench printed no " + what + ":\n" + text);
        }
        return matcher.group(1);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f tps, %.3f ms, %d tx, %d failed", tps, latencyMs, transactions, failed);
    }
}
