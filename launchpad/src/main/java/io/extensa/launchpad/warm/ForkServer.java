package io.extensa.launchpad.warm;

import io.extensa.launchpad.process.ExitStatus;
import io.extensa.launchpad.process.ProcessTable;
import io.extensa.launchpad.process.ProcessTreeKiller;
import io.extensa.protocol.launch.ChildExited;
import io.extensa.protocol.launch.ControlMessage;
import io.extensa.protocol.launch.ControlStream;
import io.extensa.protocol.launch.ForkRequest;
import io.extensa.protocol.launch.ForkServerHello;
import io.extensa.protocol.launch.Forked;
import io.extensa.protocol.launch.LaunchError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running fork server: a per-language process that preloaded its libraries and forks a
 * fresh child per job. Frames go to its stdin and come from its stdout; its stderr goes to the
 * log. FORK requests are answered in order (FORKED or ERROR each), so outstanding requests wait
 * in a FIFO. Any breach of the protocol ends the fork server: the supervisor starts a new one.
 */
public final class ForkServer {

    private static final Logger log = LoggerFactory.getLogger(ForkServer.class);

    private final String language;
    private final Process process;
    private final long startTime;
    private final ControlStream stream;
    private final OutputStreamChannel stdin;
    private final ProcessTreeKiller killer;
    private final ScheduledExecutorService timers;
    private final int tailBytes;
    private final CompletableFuture<ForkServerHello> hello = new CompletableFuture<>();
    private final Deque<PendingFork> pending = new ArrayDeque<>();
    private final Map<Long, WarmSatellite> children = new ConcurrentHashMap<>();
    private final CompletableFuture<String> death = new CompletableFuture<>();
    private final AtomicBoolean dying = new AtomicBoolean();

    private record PendingFork(String jobId, Path outputFile, CompletableFuture<WarmSatellite> result) {
    }

    private ForkServer(String language, Process process, ProcessTreeKiller killer, ScheduledExecutorService timers,
                       int tailBytes) {
        this.language = language;
        this.process = process;
        this.startTime = ProcessTable.startTime(process.pid());
        this.stdin = new OutputStreamChannel(process.getOutputStream());
        this.stream = new ControlStream(Channels.newChannel(process.getInputStream()), stdin);
        this.killer = killer;
        this.timers = timers;
        this.tailBytes = tailBytes;
    }

    /** Starts the fork server process; it is usable once {@link #awaitHello} returned. */
    static ForkServer launch(String language, List<String> command, Map<String, String> environment, Path directory,
                             ProcessTreeKiller killer, ScheduledExecutorService timers, int tailBytes)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        ForkServer server = new ForkServer(language, builder.start(), killer, timers, tailBytes);
        // Platform threads: a blocking pipe read pins a virtual thread's carrier, and on a 2-core machine two of
        // them starve every other virtual thread of the JVM (LaunchpadSchedulerStarvationTest).
        Thread.ofPlatform().daemon().name("forkserver-stderr-" + language).start(server::logStderr);
        Thread.ofPlatform().daemon().name("forkserver-" + language).start(server::readLoop);
        return server;
    }

    /**
     * Waits for the fork server's HELLO.
     *
     * @throws IOException when it says something else first, dies, or stays silent too long; it is
     *                     dead then
     */
    void awaitHello(Duration timeout) throws IOException {
        try {
            ForkServerHello greeting = hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("fork server for {} is up: pid {}, {} {}{}", language, greeting.pid(), greeting.runtime(),
                    greeting.runtimeVersion(), greeting.sandbox() ? ", sandboxes its children" : "");
        } catch (TimeoutException e) {
            die("it did not say HELLO within " + timeout.toMillis() + " ms");
            throw new IOException("the fork server for " + language + " did not say HELLO within "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            die("the launchpad was interrupted while it started");
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the fork server for " + language);
        } catch (ExecutionException e) {
            die(e.getCause().getMessage());
            throw new IOException("the fork server for " + language + " failed to start: " + e.getCause().getMessage());
        }
    }

    /** Whether it said (in HELLO) that it applies FORK's sandbox spec to its children. */
    public boolean sandboxesChildren() {
        return hello.isDone() && !hello.isCompletedExceptionally() && hello.join().sandbox();
    }

    public long pid() {
        return process.pid();
    }

    public long startTime() {
        return startTime;
    }

    public boolean alive() {
        return !death.isDone();
    }

    /** Completes with the reason when the fork server is gone. */
    public CompletableFuture<String> death() {
        return death;
    }

    /**
     * Sends FORK; the result completes with the child once FORKED arrives, or fails with a
     * {@link ForkFailure}. A result nobody waits for any more (cancelled) gets its child killed.
     */
    public CompletableFuture<WarmSatellite> fork(ForkRequest request, Path outputFile) {
        PendingFork fork = new PendingFork(request.jobId(), outputFile, new CompletableFuture<>());
        synchronized (this) {
            if (!alive()) {
                fork.result().completeExceptionally(new ForkFailure("the fork server for " + language + " is down"));
                return fork.result();
            }
            pending.add(fork);
            try {
                stream.send(request);
            } catch (IOException e) {
                pending.remove(fork);
                fork.result().completeExceptionally(new ForkFailure("cannot write FORK to the fork server for "
                        + language + ": " + e.getMessage()));
                die("its stdin broke: " + e.getMessage());
            }
        }
        return fork.result();
    }

    /** Asks the fork server to exit (EOF on its stdin), then makes sure it did. Its children are left alone. */
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        die("the launchpad closed it");
    }

    /** The dispatch for everything the fork server writes. */
    private void readLoop() {
        try {
            ControlMessage first = stream.receive();
            if (!(first instanceof ForkServerHello greeting)) {
                throw new IOException("its first message was " + (first == null ? "end of stream" : first.type())
                        + ", not HELLO");
            }
            hello.complete(greeting);
            while (true) {
                ControlMessage message = stream.receive();
                switch (message) {
                    case Forked forked -> onForked(forked);
                    case LaunchError error -> onError(error);
                    case ChildExited exited -> onChildExited(exited);
                    case null -> throw new IOException("it closed its stdout");
                    default -> throw new IOException("it sent " + message.type() + ", which fork servers must not send");
                }
            }
        } catch (IOException e) {
            hello.completeExceptionally(e);
            die(e.getMessage());
        } catch (RuntimeException e) {
            log.error("fork server reader for {} failed", language, e);
            hello.completeExceptionally(e);
            die(e.toString());
        }
    }

    private void onForked(Forked forked) throws IOException {
        PendingFork fork = nextPending("FORKED for job " + forked.jobId());
        if (!fork.jobId().equals(forked.jobId())) {
            throw new IOException("it answered FORK for job " + fork.jobId() + " with FORKED for job " + forked.jobId());
        }
        // registered before anyone learns of it, so its CHILD_EXITED, read next, always finds it
        WarmSatellite child = new WarmSatellite(forked.jobId(), forked.pid(), ProcessTable.startTime(forked.pid()),
                fork.outputFile(), tailBytes);
        children.put(forked.pid(), child);
        if (dying.get()) {
            child.orphaned(timers);
        }
        if (!fork.result().complete(child)) {
            log.warn("job {} gave up waiting for its fork; killing the late child {}", forked.jobId(), forked.pid());
            killer.killTree(child.pid(), child.startTime());
        }
    }

    private void onError(LaunchError error) throws IOException {
        PendingFork fork = nextPending("ERROR " + error.kind());
        fork.result().completeExceptionally(new ForkFailure("the fork server for " + language + " could not fork job "
                + fork.jobId() + ": " + error.kind() + ": " + error.message()));
    }

    private void onChildExited(ChildExited exited) {
        WarmSatellite child = children.remove(exited.pid());
        if (child == null) {
            log.debug("fork server for {} reported the end of unknown child {} (job {})", language, exited.pid(),
                    exited.jobId());
            return;
        }
        child.exited(exited.signal() != 0 ? ExitStatus.signalled(exited.signal()) : ExitStatus.exited(exited.exitCode()));
    }

    private synchronized PendingFork nextPending(String what) throws IOException {
        PendingFork fork = pending.poll();
        if (fork == null) {
            throw new IOException("it sent " + what + " but no FORK was outstanding");
        }
        return fork;
    }

    private void die(String reason) {
        if (!dying.compareAndSet(false, true)) {
            return;
        }
        List<PendingFork> failed;
        synchronized (this) {
            failed = new ArrayList<>(pending);
            pending.clear();
        }
        ForkFailure failure = new ForkFailure("the fork server for " + language + " is gone: " + reason);
        failed.forEach(fork -> fork.result().completeExceptionally(failure));
        try {
            stdin.close();
        } catch (IOException ignored) {
            // broken already
        }
        killer.killSession(process.pid(), startTime);
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // running children stay jobs of their own; from now on /proc tells when they end
        children.values().forEach(child -> child.orphaned(timers));
        children.clear();
        death.complete(reason);
    }

    private void logStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.info("[{} fork server] {}", language, line);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }
}
