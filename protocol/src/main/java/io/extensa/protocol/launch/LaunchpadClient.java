package io.extensa.protocol.launch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's side of the launch-control channel. Stateless apart from the socket path: every
 * {@link #launch} opens the job's own connection and every {@link #status} a short one, so one
 * client may be shared by any number of threads, and a launchpad that was restarted (a new
 * process on the same socket path) is simply reached by the next request.
 *
 * <p>While the launchpad is down (between a crash and its restart), a launch waits up to the
 * client's reconnect wait for the socket to accept again; status and pool requests fail at once.
 */
public final class LaunchpadClient {

    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);
    /** Polling interval while a launch waits for a restarting launchpad. */
    private static final long RECONNECT_POLL_MILLIS = 100;

    /** The launchpad drops connections from OS users it does not accept without a word. */
    static final String REFUSED_HINT = "; if this keeps happening, check that this OS user is in the launchpad's"
            + " launchpad.allowed_users and look at the launchpad's log";

    private final Path socketPath;
    private final Duration replyTimeout;
    private final Duration reconnectWait;

    public LaunchpadClient(Path socketPath) {
        this(socketPath, DEFAULT_REPLY_TIMEOUT);
    }

    /** @param replyTimeout how long to wait for LAUNCHED or STATUS before giving up */
    public LaunchpadClient(Path socketPath, Duration replyTimeout) {
        this(socketPath, replyTimeout, Duration.ZERO);
    }

    /**
     * @param reconnectWait how long a launch keeps trying to connect while the launchpad does not
     *                      accept (it is being restarted); zero fails at once
     */
    public LaunchpadClient(Path socketPath, Duration replyTimeout, Duration reconnectWait) {
        this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
        this.replyTimeout = Objects.requireNonNull(replyTimeout, "replyTimeout");
        this.reconnectWait = Objects.requireNonNull(reconnectWait, "reconnectWait");
    }

    /** How long a launch waits for a launchpad that does not accept connections. */
    public Duration reconnectWait() {
        return reconnectWait;
    }

    public Path socketPath() {
        return socketPath;
    }

    /**
     * Asks the launchpad to start a satellite and waits for LAUNCHED.
     *
     * @return the running job; close it when the job is over (that kills whatever is left of it)
     * @throws LaunchpadException with the launchpad's ERROR kind and message, or a client-side kind
     *                            ({@link LaunchErrorKind#CONNECTION_FAILED}, {@link LaunchErrorKind#NO_REPLY}, ...)
     */
    public LaunchedJob launch(LaunchRequest request) throws IOException {
        LaunchedJob job = start(request);
        job.awaitLaunched(replyTimeout);
        return job;
    }

    /**
     * Sends LAUNCH and returns at once, before the launchpad answers: for callers that must be
     * able to give up while the request waits for a slot in its pool (closing the handle withdraws
     * it). Follow with {@link LaunchedJob#awaitLaunched(Duration)}.
     */
    public LaunchedJob start(LaunchRequest request) throws IOException {
        return start(request, () -> false);
    }

    /**
     * As {@link #start(LaunchRequest)}; while the launchpad does not accept connections (it is
     * being restarted) this waits up to {@link #reconnectWait()}, unless {@code abandoned} turns
     * true (the call was cancelled).
     */
    public LaunchedJob start(LaunchRequest request, java.util.function.BooleanSupplier abandoned) throws IOException {
        SocketChannel channel = connectWaiting(abandoned);
        LaunchedJob job;
        try {
            job = LaunchedJob.start(channel, request);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                    "could not send LAUNCH to the launchpad at " + socketPath + ": " + e.getMessage() + REFUSED_HINT, e);
        }
        return job;
    }

    /** How long {@link #launch} and {@link #status} wait for the launchpad's answer. */
    public Duration replyTimeout() {
        return replyTimeout;
    }

    /**
     * Replaces the launchpad's resource pools with {@code pools} and waits until they are in force.
     *
     * @throws LaunchpadException {@code bad_request} when the launchpad rejects the set, or a client-side kind
     */
    public PoolsApplied applyPools(Pools pools) throws IOException {
        try (SocketChannel channel = connect()) {
            ControlStream stream = ControlStream.over(channel);
            try {
                stream.send(pools);
            } catch (IOException e) {
                throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST, "the launchpad at " + socketPath
                        + " dropped the connection (" + e.getMessage() + ")" + REFUSED_HINT, e);
            }
            ControlMessage reply = receiveWithin(stream, channel, "POOLS");
            return switch (reply) {
                case PoolsApplied applied -> applied;
                case LaunchError error -> throw error.toException();
                case null -> throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                        "the launchpad at " + socketPath + " closed the connection without answering POOLS"
                                + REFUSED_HINT);
                default -> throw new LaunchpadException(LaunchErrorKind.PROTOCOL_VIOLATION,
                        "the launchpad answered POOLS with " + reply.type());
            };
        }
    }

    /** The launchpad's pid, version, languages, running jobs and isolation mode. */
    public LaunchpadStatus status() throws IOException {
        try (SocketChannel channel = connect()) {
            ControlStream stream = ControlStream.over(channel);
            try {
                stream.send(new StatusRequest());
            } catch (IOException e) {
                throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST, "the launchpad at " + socketPath
                        + " dropped the connection (" + e.getMessage() + ")" + REFUSED_HINT, e);
            }
            ControlMessage reply = receiveWithin(stream, channel, "STATUS_REQUEST");
            return switch (reply) {
                case LaunchpadStatus status -> status;
                case LaunchError error -> throw error.toException();
                case null -> throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                        "the launchpad at " + socketPath + " closed the connection without answering STATUS_REQUEST"
                                + REFUSED_HINT);
                default -> throw new LaunchpadException(LaunchErrorKind.PROTOCOL_VIOLATION,
                        "the launchpad answered STATUS_REQUEST with " + reply.type());
            };
        }
    }

    /** The names of the enabled languages, e.g. {@code [Python, R]}. */
    public List<String> languages() throws IOException {
        return status().languageNames();
    }

    private SocketChannel connectWaiting(java.util.function.BooleanSupplier abandoned) throws IOException {
        long deadline = System.nanoTime() + reconnectWait.toNanos();
        while (true) {
            try {
                return connect();
            } catch (LaunchpadException e) {
                if (System.nanoTime() - deadline >= 0 || abandoned.getAsBoolean()) {
                    if (reconnectWait.isZero()) {
                        throw e;
                    }
                    throw new LaunchpadException(LaunchErrorKind.CONNECTION_FAILED, e.getMessage()
                            + " (waited " + reconnectWait.toMillis() + " ms for it to come back)", e.getCause());
                }
            }
            try {
                Thread.sleep(RECONNECT_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the launchpad to come back");
            }
        }
    }

    private SocketChannel connect() throws LaunchpadException {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            throw new LaunchpadException(LaunchErrorKind.CONNECTION_FAILED,
                    "cannot connect to the launchpad at " + socketPath + " (" + e.getMessage() + "); is it running?", e);
        }
    }

    /** Blocking channels have no read timeout, so the read runs on a virtual thread we can abandon. */
    private ControlMessage receiveWithin(ControlStream stream, SocketChannel channel, String request) throws IOException {
        CompletableFuture<ControlMessage> reply = new CompletableFuture<>();
        Thread.ofVirtual().name("launchpad-reply").start(() -> {
            try {
                reply.complete(stream.receive());
            } catch (Throwable t) {
                reply.completeExceptionally(t);
            }
        });
        try {
            return reply.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeQuietly(channel);
            throw new LaunchpadException(LaunchErrorKind.NO_REPLY, "the launchpad at " + socketPath
                    + " did not answer " + request + " within " + replyTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            closeQuietly(channel);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the launchpad");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new LaunchpadException(LaunchErrorKind.CONNECTION_LOST,
                    "reading the launchpad's reply failed: " + cause.getMessage(), cause);
        }
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
