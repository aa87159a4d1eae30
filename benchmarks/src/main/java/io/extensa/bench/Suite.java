package io.extensa.bench;

/**
 * One side-by-side comparison. A suite sets up what it needs on the shared {@link BenchStack}
 * (tables, functions, peers such as PgBouncer), measures Extensa and its peers in the same run,
 * interleaving them so drift hits all sides equally, and appends a self-contained section to the
 * report: what it compared, the numbers, and the commands that reproduce them.
 *
 * <p>To add a suite (partitions, streaming, parallel input, sandbox cold/warm, ...), implement
 * this interface and register it in {@link Suites}.
 */
public interface Suite {

    /** The name used on the command line, e.g. {@code relay}. */
    String name();

    /** One line for {@code bin/bench --list}. */
    String summary();

    /** Measures and appends this suite's section to {@code report}; stops everything it started. */
    void run(BenchContext context, Report report) throws Exception;
}
