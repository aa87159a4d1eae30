package io.extensa.protocol.launch;

import io.extensa.protocol.wire.ProtocolException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running job seen from the engine: the open control connection the job lives on. Closing it
 * (or losing it, e.g. because this process dies) makes the launchpad kill the job's process tree
 * and remove its directory. Safe to use from several threads.
 */
public final class LaunchedJob implements AutoCloseable {

    private final SocketChannel channel;
    private final ControlStream stream;
    private final String jobId;
    private final CompletableFuture<Launched> launched = new CompletableFuture<>();
    private final CompletableFuture<Exited> exit = new CompletableFuture<>();
    private final CompletableFuture<Activated> activated = new CompletableFuture<>();
    private volatile boolean closed;

    private LaunchedJob(SocketChannel channel, String jobId) {
        this.channel = channel;
        this.stream = ControlStream.over(channel);
        this.jobId = jobId;
    }

    static LaunchedJob start(SocketChannel channel, LaunchRequest request) throws IOException {
        LaunchedJob job = new LaunchedJob(channel, request.jobId());
        job.stream.send(request);
        Thread.ofVirtual().name("launchpad-job-" + request.jobId()).start(job::readReplies);
        return job;
    }

    /**
     * Waits for LAUNCHED; on ERROR, timeout or interruption the handle is closed and the failure
     * thrown. Returns at once when LAUNCHED already arrived.
     */
    public void awaitLaunched(Duration timeout) throws IOException {
        awaitReply(launched, "LAUNCH", timeout);
    }

    /** Waits for the answer to {@code request}; on ERROR, timeout or interruption closes the handle and throws. */
    private void awaitReply(CompletableFuture<?> reply, String request, Duration timeout) throws IOException {
        try {
            reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new LaunchpadException(LaunchErrorKind.NO_REPLY, "the launchpad did not answer " + request
                    + " for job " + jobId + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the answer to " + request + " for job "
                    + jobId);
        } catch (ExecutionException e) {
            close();
            throw asLaunchpadException(e.getCause());
        }
    }

    /**
     * For a standby job: sends ACTIVATE, asking the launchpad for a slot in the job's pool;
     * {@link #awaitActivated} then waits for it.
     *
     * @param queueTimeout the longest the job may wait in its pool's queue; zero for the launchpad's limit
     */
    public void activate(Duration queueTimeout) throws IOException {
        try {
            stream.send(new Activate(jobId, queueTimeout.toMillis()));
        } catch (IOException e) {
            throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                    "could not send ACTIVATE for job " + jobId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for ACTIVATED; on ERROR (the pool's queue), timeout or interruption the handle is
     * closed and the failure thrown.
     */
    public void awaitActivated(Duration timeout) throws IOException {
        awaitReply(activated, "ACTIVATE", timeout);
    }

    public String jobId() {
        return jobId;
    }

    private Launched launchedMessage() {
        return launched.join();
    }

    /** The satellite's process id. */
    public long pid() {
        return launchedMessage().pid();
    }

    /** The job's private working directory. */
    public Path workDir() {
        return Path.of(launchedMessage().workDir());
    }

    /** True when a fork server started the satellite. */
    public boolean warm() {
        return launchedMessage().warm();
    }

    /** The OS account the satellite runs as. */
    public String worker() {
        return launchedMessage().worker();
    }

    /**
     * Completes with EXITED when the satellite process ends; completes exceptionally with a
     * {@link LaunchpadException} when the connection is lost or the handle closed first.
     */
    public CompletableFuture<Exited> exit() {
        return exit.copy();
    }

    /** Waits up to {@code timeout} for the satellite to end; empty when it is still running. */
    public Optional<Exited> awaitExit(Duration timeout) throws IOException, InterruptedException {
        try {
            return Optional.of(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw asLaunchpadException(e.getCause());
        }
    }

    /** Asks the launchpad to kill the job now; {@link #exit()} then completes with reason "cancelled". */
    public void cancel() throws IOException {
        if (exit.isDone() || closed) {
            return;
        }
        try {
            stream.send(new CancelJob(jobId));
        } catch (IOException e) {
            throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                    "could not send CANCEL_JOB for job " + jobId + ": " + e.getMessage(), e);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Ends the job: the launchpad kills whatever still runs and removes the job directory. */
    @Override
    public void close() {
        closed = true;
        LaunchpadClient.closeQuietly(channel);
        LaunchpadException gone = new LaunchpadException(LaunchErrorKind.CLOSED,
                "the handle of job " + jobId + " was closed before the satellite exited");
        launched.completeExceptionally(gone);
        activated.completeExceptionally(gone);
        exit.completeExceptionally(gone);
    }

    /** One reader thread per job: LAUNCHED (or ERROR), for a standby job ACTIVATED, then EXITED. */
    private void readReplies() {
        try {
            ControlMessage first = stream.receive();
            switch (first) {
                case Launched message when message.jobId().equals(jobId) -> launched.complete(message);
                case LaunchError error -> {
                    launched.completeExceptionally(error.toException());
                    activated.completeExceptionally(error.toException());
                    exit.completeExceptionally(error.toException());
                    return;
                }
                case null -> throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                        "the launchpad closed the connection without answering LAUNCH for job " + jobId
                                + LaunchpadClient.REFUSED_HINT);
                default -> throw new LaunchpadException(LaunchErrorKind.PROTOCOL_VIOLATION,
                        "the launchpad answered LAUNCH for job " + jobId + " with " + describe(first));
            }
            // a standby job's ACTIVATED (or the ERROR refusing it) comes before EXITED
            while (true) {
                ControlMessage next = stream.receive();
                switch (next) {
                    case Activated message when message.jobId().equals(jobId) -> activated.complete(message);
                    case Exited message when message.jobId().equals(jobId) -> {
                        activated.completeExceptionally(new LaunchpadException(LaunchErrorKind.LAUNCH_FAILED,
                                "the satellite of job " + jobId + " ended before it was activated"));
                        exit.complete(message);
                        return;
                    }
                    case LaunchError error -> {
                        activated.completeExceptionally(error.toException());
                        exit.completeExceptionally(error.toException());
                        return;
                    }
                    case null -> throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                            "the launchpad closed the connection of job " + jobId + " while it was running"
                                    + " (launchpad stopped or restarted?)");
                    default -> throw new LaunchpadException(LaunchErrorKind.PROTOCOL_VIOLATION,
                            "the launchpad sent " + describe(next) + " for running job " + jobId);
                }
            }
        } catch (IOException e) {
            LaunchpadException failure = closed || e instanceof AsynchronousCloseException
                    ? new LaunchpadException(LaunchErrorKind.CLOSED, "the handle of job " + jobId + " was closed", e)
                    : asLaunchpadException(e);
            launched.completeExceptionally(failure);
            activated.completeExceptionally(failure);
            exit.completeExceptionally(failure);
            if (!closed) {
                LaunchpadClient.closeQuietly(channel);
            }
        }
    }

    private static String describe(ControlMessage message) {
        return message instanceof Launched || message instanceof Exited
                ? message + " (for another job)" : message.type().toString();
    }

    private static LaunchpadException asLaunchpadException(Throwable t) {
        if (t instanceof LaunchpadException e) {
            return e;
        }
        String kind = t instanceof ProtocolException
                ? LaunchErrorKind.PROTOCOL_VIOLATION : LaunchErrorKind.CONNECTION_LOST;
        return new LaunchpadException(kind, "launch-control connection failed: " + t.getMessage(), t);
    }

    @Override
    public String toString() {
        Launched message = launched.getNow(null);
        return "LaunchedJob[" + jobId + (message == null ? "" : ", pid=" + message.pid() + ", warm=" + message.warm())
                + (exit.isDone() ? ", ended" : "") + "]";
    }
}
