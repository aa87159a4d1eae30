package io.extensa.launchpad.control;

import io.extensa.launchpad.job.JobLauncher;
import io.extensa.protocol.launch.ControlMessage;
import io.extensa.protocol.launch.ControlStream;
import io.extensa.protocol.launch.LaunchError;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchpadStatus;
import io.extensa.protocol.launch.StatusRequest;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.ProtocolException;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The launch-control listener. Accepts connections from allowed OS users only (checked with the
 * socket's peer credentials), gives each connection a (pooled) platform thread, reads its first message
 * within the request timeout and dispatches on it: LAUNCH starts a {@link JobSession},
 * STATUS_REQUEST is answered and closed. A peer that breaks the framing loses its connection and
 * leaves a log line; nothing it sends can take the launchpad down.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final Path socketPath;
    private final Set<String> allowedUsers;
    private final int maxConnections;
    private final Duration requestTimeout;
    private final JobLauncher launcher;
    private final Supplier<LaunchpadStatus> status;
    private final java.util.function.Function<io.extensa.protocol.launch.Pools, ControlMessage> pools;
    private final ScheduledExecutorService timers;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    /**
     * One platform thread per open connection (a job's connection blocks in reads for the job's
     * life) and the one waiting in accept, reused by later connections: a new thread per call cost
     * a clone, a stack and the JVM's thread set-up on every job.
     */
    private final ExecutorService connectionThreads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("launchpad-connection-", 0).factory());
    private final Set<CompletableFuture<Void>> connectionsServed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private ServerSocketChannel listener;
    private volatile boolean closed;

    public ControlServer(Path socketPath, Set<String> allowedUsers, int maxConnections, Duration requestTimeout,
                         JobLauncher launcher, Supplier<LaunchpadStatus> status,
                         java.util.function.Function<io.extensa.protocol.launch.Pools, ControlMessage> pools,
                         ScheduledExecutorService timers) {
        this.socketPath = socketPath;
        this.allowedUsers = Set.copyOf(allowedUsers);
        this.maxConnections = maxConnections;
        this.requestTimeout = requestTimeout;
        this.launcher = launcher;
        this.status = status;
        this.pools = pools;
        this.timers = timers;
    }

    public void start() throws IOException {
        Files.createDirectories(socketPath.getParent());
        removeStaleSocket();
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socketPath));
        // peer credentials decide who may launch; the file mode only keeps strangers from connecting at all
        boolean othersAllowed = allowedUsers.stream()
                .anyMatch(user -> !user.equals(System.getProperty("user.name")) && !user.equals("root"));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString(othersAllowed ? "rw-rw-rw-" : "rw-------"));
        connectionThreads.execute(this::acceptAndServe);
    }

    private void removeStaleSocket() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(socketPath + " exists and is not a socket; refusing to replace it");
        }
        SocketChannel probe;
        try {
            probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath));
        } catch (ConnectException e) {
            log.info("removing the stale socket {} of a launchpad that is gone", socketPath);
            Files.delete(socketPath);
            return;
        }
        probe.close();
        throw new IOException("another launchpad is already listening on " + socketPath);
    }

    /**
     * Accepts connections until one is let in, then serves it on this very thread after handing
     * the accepting on to a pooled thread: the request is read and the job launched without
     * waiting for another thread to be woken and scheduled, which on a busy 2-core machine can
     * take milliseconds.
     */
    private void acceptAndServe() {
        // registered before accepting, so close() also waits for a connection accepted while it ran
        CompletableFuture<Void> served = new CompletableFuture<>();
        connectionsServed.add(served);
        try {
            SocketChannel channel = acceptOne();
            if (channel == null) {
                return;
            }
            try {
                connectionThreads.execute(this::acceptAndServe);
            } catch (RejectedExecutionException e) {
                log.debug("no successor accepts: the launchpad is stopping");
            }
            try {
                serve(channel);
            } catch (RuntimeException e) {
                log.error("control connection failed unexpectedly", e);
            } finally {
                connections.remove(channel);
                connectionCount.decrementAndGet();
                closeQuietly(channel);
            }
        } finally {
            connectionsServed.remove(served);
            served.complete(null);
        }
    }

    /** The next connection let in, or null once the listener is closed. */
    private SocketChannel acceptOne() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                return null;
            } catch (IOException e) {
                log.error("accepting a control connection failed: {}", e.getMessage());
                pause();
                continue;
            }
            if (closed) {
                closeQuietly(channel);
                return null;
            }
            if (connectionCount.incrementAndGet() > maxConnections) {
                connectionCount.decrementAndGet();
                log.warn("refusing a control connection: {} are open, the most allowed", maxConnections);
                closeQuietly(channel);
                continue;
            }
            connections.add(channel);
            return channel;
        }
        return null;
    }

    private void serve(SocketChannel channel) {
        String peer = peer(channel);
        if (peer == null) {
            return;
        }
        ControlStream stream = ControlStream.over(channel);
        ScheduledFuture<?> watchdog = timers.schedule(() -> {
            log.warn("closing the control connection from {}: no complete request within {} ms", peer,
                    requestTimeout.toMillis());
            closeQuietly(channel);
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        Frame frame;
        try {
            frame = stream.receiveFrame();
        } catch (ClosedChannelException e) {
            return;
        } catch (IOException e) {
            log.warn("closing the control connection from {}: {}", peer, e.getMessage());
            return;
        } finally {
            watchdog.cancel(false);
        }
        if (frame == null) {
            return;
        }
        ControlMessage message;
        try {
            message = ControlStream.decode(frame);
        } catch (ProtocolException e) {
            log.warn("rejecting a malformed request from {}: {}", peer, e.getMessage());
            reply(stream, new LaunchError(LaunchErrorKind.BAD_REQUEST, e.getMessage()));
            return;
        }
        switch (message) {
            case LaunchRequest request -> new JobSession(channel, stream, request, launcher, peer).run();
            case StatusRequest request -> reply(stream, status.get());
            case io.extensa.protocol.launch.Pools request -> reply(stream, pools.apply(request));
            default -> {
                log.warn("rejecting {} from {} as the first message of a connection", message.type(), peer);
                reply(stream, new LaunchError(LaunchErrorKind.BAD_REQUEST, "a launch-control connection must start with"
                        + " LAUNCH, STATUS_REQUEST or POOLS, not " + message.type()));
            }
        }
    }

    /** The peer's OS user, or null (and the connection refused) when that user is not allowed. */
    private String peer(SocketChannel channel) {
        String user;
        try {
            UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            user = principal.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("refusing a control connection whose peer credentials cannot be read: {}", e.getMessage());
            return null;
        }
        if (!allowedUsers.contains(user)) {
            log.warn("refusing a control connection from OS user '{}' (launchpad.allowed_users: {})", user,
                    String.join(", ", allowedUsers));
            return null;
        }
        return "user " + user;
    }

    private static void reply(ControlStream stream, ControlMessage message) {
        try {
            stream.send(message);
        } catch (IOException e) {
            log.debug("cannot reply {}: {}", message.type(), e.getMessage());
        }
    }

    /** Stops accepting and removes the socket file; open connections stay until their jobs end. */
    public void stopAccepting() {
        closed = true;
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException e) {
                log.debug("closing the listener: {}", e.getMessage());
            }
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                log.warn("cannot remove the socket {}: {}", socketPath, e.getMessage());
            }
        }
    }

    /**
     * Closes every connection still open and waits for their threads, so a launch that was in
     * flight during shutdown has cleaned up after its job too.
     */
    @Override
    public void close() {
        stopAccepting();
        connections.forEach(ControlServer::closeQuietly);
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        try {
            for (CompletableFuture<Void> served : connectionsServed) {
                long left = deadline - System.nanoTime();
                try {
                    served.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    log.warn("a control connection is still busy after {} ms of shutdown", SHUTDOWN_WAIT.toMillis());
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException e) {
                    // the task itself logs its failures
                }
            }
        } finally {
            connectionThreads.shutdown();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
