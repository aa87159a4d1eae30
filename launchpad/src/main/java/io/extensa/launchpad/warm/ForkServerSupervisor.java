package io.extensa.launchpad.warm;

import io.extensa.launchpad.process.ProcessTreeKiller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one fork server running for a language: starts it in the background, and when it dies
 * or fails to start, starts another after a delay that doubles per consecutive failure (reset
 * once a fork server has lived longer than the longest delay). While none is up, jobs of the
 * language start cold.
 */
public final class ForkServerSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForkServerSupervisor.class);

    /** What it takes to start one fork server. */
    public record Spec(String language, List<String> command, Map<String, String> environment, Path directory,
                       Path pidFile, Duration helloTimeout, Duration restartMin, Duration restartMax, int tailBytes) {
    }

    /** Records the fork server's pid and start time so a restarted launchpad can kill a leftover. */
    @FunctionalInterface
    public interface PidRecorder {
        void record(Path file, long pid, long startTime) throws IOException;
    }

    private final Spec spec;
    private final ProcessTreeKiller killer;
    private final ScheduledExecutorService timers;
    private final PidRecorder pidRecorder;
    private final Object lock = new Object();
    private volatile ForkServer current;
    private ForkServer starting;
    private ScheduledFuture<?> restart;
    private Duration nextDelay;
    private long startedNanos;
    private boolean closed;

    public ForkServerSupervisor(Spec spec, ProcessTreeKiller killer, ScheduledExecutorService timers,
                                PidRecorder pidRecorder) {
        this.spec = spec;
        this.killer = killer;
        this.timers = timers;
        this.pidRecorder = pidRecorder;
        this.nextDelay = spec.restartMin();
    }

    /** Starts the first fork server in the background. */
    public void start() {
        schedule(Duration.ZERO);
    }

    /** The running fork server, empty while none is up. */
    public Optional<ForkServer> current() {
        ForkServer server = current;
        return server != null && server.alive() ? Optional.of(server) : Optional.empty();
    }

    /** Waits until a fork server is up; for tests and for start-up scripts that want warm starts. */
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (current().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private void schedule(Duration delay) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            restart = timers.schedule(() -> Thread.ofPlatform().daemon().name("forkserver-start-" + spec.language())
                    .start(this::startOne), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void startOne() {
        ForkServer server;
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                Files.createDirectories(spec.directory());
                server = ForkServer.launch(spec.language(), spec.command(), spec.environment(), spec.directory(),
                        killer, timers, spec.tailBytes());
                starting = server;
                recordPid(server);
            }
            server.awaitHello(spec.helloTimeout());
        } catch (IOException e) {
            synchronized (lock) {
                starting = null;
                if (closed) {
                    return;
                }
            }
            Duration delay = backoff(false);
            log.error("cannot start the fork server for {}: {}; jobs start cold; retrying in {} ms", spec.language(),
                    e.getMessage(), delay.toMillis());
            schedule(delay);
            return;
        }
        synchronized (lock) {
            starting = null;
            if (closed) {
                server.close();
                return;
            }
            current = server;
            startedNanos = System.nanoTime();
        }
        server.death().thenAccept(reason -> onDeath(server, reason));
    }

    private void recordPid(ForkServer server) {
        try {
            pidRecorder.record(spec.pidFile(), server.pid(), server.startTime());
        } catch (IOException e) {
            log.warn("cannot record the fork server's pid in {}: {}", spec.pidFile(), e.getMessage());
        }
    }

    private void onDeath(ForkServer server, String reason) {
        Duration delay;
        synchronized (lock) {
            if (current == server) {
                current = null;
            }
            if (closed) {
                return;
            }
            boolean livedLong = System.nanoTime() - startedNanos > spec.restartMax().toNanos();
            delay = backoff(livedLong);
        }
        try {
            Files.deleteIfExists(spec.pidFile());
        } catch (IOException ignored) {
            // a stale pid file is checked against the start time before anything is killed
        }
        log.warn("the fork server for {} (pid {}) stopped: {}; jobs start cold until it is back; restarting in {} ms",
                spec.language(), server.pid(), reason, delay.toMillis());
        schedule(delay);
    }

    private Duration backoff(boolean reset) {
        synchronized (lock) {
            if (reset) {
                nextDelay = spec.restartMin();
            }
            Duration delay = nextDelay;
            Duration doubled = nextDelay.multipliedBy(2);
            nextDelay = doubled.compareTo(spec.restartMax()) > 0 ? spec.restartMax() : doubled;
            return delay;
        }
    }

    /** Stops restarting and closes the running fork server; its children are jobs and are left alone. */
    @Override
    public void close() {
        ForkServer server;
        ForkServer half;
        synchronized (lock) {
            closed = true;
            if (restart != null) {
                restart.cancel(false);
            }
            server = current;
            current = null;
            half = starting;
            starting = null;
        }
        if (server != null) {
            server.close();
        }
        if (half != null) {
            half.close();
        }
        try {
            Files.deleteIfExists(spec.pidFile());
        } catch (IOException ignored) {
            // checked against the start time at the next start
        }
    }
}
