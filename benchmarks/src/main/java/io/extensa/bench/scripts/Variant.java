package io.extensa.bench.scripts;

import java.util.Optional;

/**
 * One contender in a timed comparison: Extensa, a peer, a ceiling or a reference. The runner
 * warms every variant up once (connect, load libraries, check the result is right), then times
 * them in interleaved rounds.
 */
public abstract class Variant implements AutoCloseable {

    /** Untimed work before each timed call, e.g. emptying the target table of an insert. */
    @FunctionalInterface
    public interface Preparation {
        void run() throws Exception;
    }

    private final String label;
    private final Side side;
    private final String path;
    private final String how;
    private Preparation before = () -> { };

    /**
     * @param label what the report calls it
     * @param path  how the client reaches PostgreSQL: "gateway", "direct" (Unix socket), ...
     * @param how   the SQL or command, shown in the report so the number can be reproduced
     */
    protected Variant(String label, Side side, String path, String how) {
        this.label = label;
        this.side = side;
        this.path = path;
        this.how = how;
    }

    public String label() {
        return label;
    }

    public Side side() {
        return side;
    }

    public String path() {
        return path;
    }

    public String how() {
        return how;
    }

    /** Adds untimed work before each timed call. */
    public Variant before(Preparation preparation) {
        this.before = preparation;
        return this;
    }

    void beforeEach() throws Exception {
        before.run();
    }

    /** Why this variant cannot run yet (e.g. "pending: engine"); empty when it can. */
    public Optional<String> pending() {
        return Optional.empty();
    }

    /** Runs once untimed: opens connections, warms caches and imports, checks the result. */
    public abstract void warmUp() throws Exception;

    /** Runs once and returns the elapsed milliseconds of the part that is measured. */
    public abstract double runOnceMillis() throws Exception;

    /** Closes connections; must be safe to call more than once. */
    @Override
    public void close() throws Exception {
    }

    /** A variant that is reported but cannot run: its side of the comparison is not built yet. */
    public static Variant pending(String label, Side side, String path, String how, String reason) {
        return new Variant(label, side, path, how) {
            @Override
            public Optional<String> pending() {
                return Optional.of(reason);
            }

            @Override
            public void warmUp() {
                throw new IllegalStateException(reason);
            }

            @Override
            public double runOnceMillis() {
                throw new IllegalStateException(reason);
            }
        };
    }
}
