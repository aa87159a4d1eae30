package io.extensa.server.launchpad;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * When to restart a launchpad that died under a running server: after a delay that doubles with
 * each restart in the window (from {@link #FIRST_DELAY} up to {@link #MAX_DELAY}), and at most
 * {@link #MAX_RESTARTS} times within {@link #WINDOW} (by default); a launchpad that keeps dying beyond that is
 * not worth restarting again, and the server stops with the reason instead.
 */
public final class LaunchpadRestarts {

    public static final int MAX_RESTARTS = 5;
    public static final Duration WINDOW = Duration.ofMinutes(10);
    public static final Duration FIRST_DELAY = Duration.ofMillis(500);
    public static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private final Deque<Long> restartsNanos = new ArrayDeque<>();
    private final int maxRestarts;
    private final Duration window;
    private final Duration firstDelay;

    public LaunchpadRestarts() {
        this(MAX_RESTARTS, WINDOW, FIRST_DELAY);
    }

    /** Another policy (tests). */
    public LaunchpadRestarts(int maxRestarts, Duration window, Duration firstDelay) {
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.firstDelay = firstDelay;
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration window() {
        return window;
    }

    /**
     * Records a restart at {@code nowNanos} (System.nanoTime) and returns how long to wait before
     * it; empty when {@link #MAX_RESTARTS} restarts already happened within the window.
     */
    public synchronized Optional<Duration> next(long nowNanos) {
        while (!restartsNanos.isEmpty() && nowNanos - restartsNanos.peekFirst() > window.toNanos()) {
            restartsNanos.removeFirst();
        }
        int recent = restartsNanos.size();
        if (recent >= maxRestarts) {
            return Optional.empty();
        }
        restartsNanos.addLast(nowNanos);
        long delay = firstDelay.toMillis() << Math.min(recent, 16);
        return Optional.of(Duration.ofMillis(Math.min(delay, MAX_DELAY.toMillis())));
    }

    /** Restarts within the window ending at {@code nowNanos}. */
    public synchronized int recent(long nowNanos) {
        return (int) restartsNanos.stream().filter(at -> nowNanos - at <= window.toNanos()).count();
    }
}
