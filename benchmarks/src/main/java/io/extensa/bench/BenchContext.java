package io.extensa.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a suite runs with: the stack, whether this is a --quick run, and a progress line printer
 * (standard error, so the report on standard output stays clean).
 */
public final class BenchContext {

    private final BenchStack stack;
    private final boolean quick;
    private final Instant started = Instant.now();
    private final Deque<AutoCloseable> registered = new ArrayDeque<>();

    public BenchContext(BenchStack stack, boolean quick) {
        this.stack = stack;
        this.quick = quick;
    }

    public BenchStack stack() {
        return stack;
    }

    /** --quick: one short repetition per measurement, for checking the harness, not for publishing. */
    public boolean quick() {
        return quick;
    }

    /** {@code full} normally, {@code quick} with --quick. */
    public int choose(int full, int quickValue) {
        return quick ? quickValue : full;
    }

    public String quickFlag() {
        return quick ? " --quick" : "";
    }

    public void progress(String suite, String message) {
        long seconds = Duration.between(started, Instant.now()).toSeconds();
        System.err.printf("[%3d:%02d] %s: %s%n", seconds / 60, seconds % 60, suite, message);
    }

    /**
     * Registers something a suite started (PgBouncer, a JFR recording) so that it is stopped even
     * when the suite fails or the run is interrupted with Ctrl-C. Closing must be idempotent.
     */
    public synchronized <T extends AutoCloseable> T closeOnExit(T resource) {
        registered.push(resource);
        return resource;
    }

    /** Closes everything registered, newest first. */
    public synchronized void closeRegistered() {
        while (!registered.isEmpty()) {
            AutoCloseable resource = registered.pop();
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("bench: could not stop " + resource + ": " + e);
            }
        }
    }
}
