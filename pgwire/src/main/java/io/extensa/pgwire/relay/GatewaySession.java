package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.SessionInterceptor;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.PgBuffer;
import io.extensa.pgwire.message.ServerMessages;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its PostgreSQL connection.
 *
 * <p>Threads: the client thread reads the client and forwards what it can directly (the fast
 * path); the backend thread reads PostgreSQL and relays. Anything the gateway must look at or
 * answer itself goes into the inbox, processed in order by a worker (the slow path); while the
 * worker is active the client thread only queues, so order is never lost and the client thread
 * still notices a disconnect. When the worker needs the backend for Extensa's own work it takes
 * it over ("engine mode"): the backend thread then hands every chunk it reads to the worker
 * instead of the client.
 */
public final class GatewaySession implements ClientSession {

    private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);
    /** Slow-path messages queued beyond this make the client thread wait (bounded memory). */
    private static final long INBOX_LIMIT = 64L << 20;
    private static final java.security.SecureRandom KEYS = new java.security.SecureRandom();

    final SessionEnvironment env;
    final long id;
    private final SocketChannel clientChannel;
    private final SocketAddress remoteAddress;
    private final Instant connectedAt = Instant.now();

    volatile Transport client;
    volatile Transport backend;
    final ResponseTracker tracker = new ResponseTracker();
    final ReentrantLock clientWriteLock = new ReentrantLock();

    // who reads the backend: guarded by modeLock
    final Object modeLock = new Object();
    boolean engineMode;
    boolean relaying;
    boolean midMessage;
    boolean backendEof;
    /** The pump waits out the engine's turn without reading: the worker reads the backend itself. */
    boolean pumpParked;
    /** The engine wants the pump to go on reading for it (a COPY IN watching for an early error). */
    boolean pumpReadsForEngine;
    final ArrayDeque<byte[]> engineQueue = new ArrayDeque<>();

    private volatile String user = "";
    private volatile String database = "";
    private volatile int backendPid;
    private volatile int backendKey;
    private volatile int gatewayKey;
    final Map<String, String> parameterStatus = new ConcurrentHashMap<>();
    volatile TransactionStatus transactionStatus = TransactionStatus.IDLE;
    volatile SessionInterceptor interceptor;
    volatile SessionWorker worker;

    // slow path: guarded by inboxLock
    private final Object inboxLock = new Object();
    private final ArrayDeque<FrontendMessage> inbox = new ArrayDeque<>();
    private long inboxBytes;
    volatile boolean workerActive;

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String closeReason = "";

    GatewaySession(SessionEnvironment env, SocketChannel clientChannel) throws IOException {
        this.env = env;
        this.id = env.sessionIds().incrementAndGet();
        this.clientChannel = clientChannel;
        this.remoteAddress = clientChannel.getRemoteAddress();
    }

    /** Runs the whole session on the calling (client) thread. */
    void run() {
        try {
            StartupNegotiator negotiator = new StartupNegotiator(env.config().maxStartupPacket(), env.tls());
            StartupNegotiator.Outcome outcome = negotiator.negotiate(clientChannel);
            if (outcome instanceof StartupNegotiator.Outcome.Cancel(int pid, int key)) {
                GatewaySession target = env.cancelRegistry().lookup(pid, key);
                if (target != null) {
                    target.cancel("canceling statement due to user request");
                }
                closeQuietly();
                return;
            }
            if (!(outcome instanceof StartupNegotiator.Outcome.Session(StartupPacket packet, Transport transport))) {
                closeQuietly();
                return;
            }
            client = transport;
            user = packet.user();
            database = packet.database();
            if (!connectBackend(packet)) {
                return;
            }
            new ClientPump(this).run();
            close("client disconnected");
        } catch (IOException e) {
            close("client I/O error: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("session {} failed", id, e);
            close("internal error: " + e);
        }
    }

    private boolean connectBackend(StartupPacket packet) {
        SocketChannel channel;
        try {
            channel = BackendConnector.connect(env.config().backend(), env.config().backendConnectTimeout());
        } catch (IOException e) {
            log.warn("session {}: cannot reach PostgreSQL at {}: {}", id, env.config().backend(), e.getMessage());
            sendFatal(SqlState.CANNOT_CONNECT_NOW, "Extensa cannot reach PostgreSQL at " + env.config().backend()
                    + ": " + e.getMessage());
            closeQuietly();
            return false;
        }
        backend = Transport.of(channel);
        try {
            backend.write(ByteBuffer.wrap(packet.raw()));
        } catch (IOException e) {
            sendFatal(SqlState.CONNECTION_FAILURE, "PostgreSQL closed the connection during startup");
            close("backend write failed");
            return false;
        }
        Thread.ofPlatform().name("pg-backend-" + id).daemon().start(new BackendPump(this));
        return true;
    }

    /** Called by the backend thread at the first ReadyForQuery: authentication is done. */
    void established(int pid, int realKey) {
        backendPid = pid;
        backendKey = realKey;
        if (pid != 0) {
            env.cancelRegistry().register(pid, this);
        }
        worker = new SessionWorker(this);
        try {
            interceptor = env.interceptor().openSession(this);
        } catch (RuntimeException e) {
            log.error("session {}: interceptor failed to open; relaying only", id, e);
        }
        log.info("session {} opened: user={} database={} from {} backend pid {}", id, user, database,
                remoteAddress, pid);
    }

    int newGatewayKey() {
        int key;
        do {
            key = KEYS.nextInt();
        } while (key == 0);
        gatewayKey = key;
        return key;
    }

    int gatewayKey() {
        return gatewayKey;
    }

    // ---- slow path ----

    /** Queues a message for the worker, starting it if idle. Called only by the client thread. */
    void enqueue(FrontendMessage message) throws InterruptedException {
        synchronized (inboxLock) {
            while (inboxBytes > INBOX_LIMIT && !closed.get()) {
                inboxLock.wait(100);
            }
            inbox.add(message);
            inboxBytes += message.size();
            if (!workerActive) {
                workerActive = true;
                env.workers().execute(this::drainInbox);
            }
        }
    }

    private void drainInbox() {
        Thread.currentThread().setName("pg-worker-" + id);
        while (true) {
            FrontendMessage next;
            synchronized (inboxLock) {
                next = inbox.poll();
                if (next == null || closed.get()) {
                    inbox.clear();
                    inboxBytes = 0;
                    workerActive = false;
                    inboxLock.notifyAll();
                    return;
                }
                inboxBytes -= next.size();
                inboxLock.notifyAll();
            }
            try {
                worker.dispatch(next);
            } catch (RuntimeException e) {
                log.error("session {}: worker failed on '{}'", id, next.type(), e);
                close("internal error: " + e);
            }
        }
    }

    /** Waits until the worker finished what it had (used when the client left). */
    void awaitWorker(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inboxLock) {
            while (workerActive && System.nanoTime() < deadline) {
                try {
                    inboxLock.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- cancellation and shutdown ----

    /** A CancelRequest for this session, or the client went away while something ran. */
    void cancel(String reason) {
        SessionWorker w = worker;
        if (w != null) {
            w.cancelRunning(reason);
        }
        if (backendPid != 0) {
            BackendConnector.sendCancel(env.config().backend(), backendPid, backendKey);
        }
    }

    /** Sends PostgreSQL a CancelRequest without touching the running Extensa statement. */
    void cancelBackendOnly() {
        if (backendPid != 0) {
            BackendConnector.sendCancel(env.config().backend(), backendPid, backendKey);
        }
    }

    boolean backendEofSeen() {
        synchronized (modeLock) {
            return backendEof && !engineMode;
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Sends a FATAL ErrorResponse to the client, unless the relay is in the middle of forwarding a
     * message (the error would corrupt it; the connection is closed right after either way).
     */
    void sendFatal(String sqlState, String message) {
        PgBuffer out = new PgBuffer();
        ServerMessages.errorResponse(out, ErrorFields.error(sqlState, message).with('S', "FATAL").with('V', "FATAL"));
        Transport c = client;
        if (c == null) {
            c = Transport.of(clientChannel);
        }
        boolean betweenMessages;
        synchronized (modeLock) {
            betweenMessages = !midMessage;
        }
        try {
            // the relay may still be returning from its last write; wait for it rather than drop the error
            if (betweenMessages && clientWriteLock.tryLock(2, java.util.concurrent.TimeUnit.SECONDS)) {
                try {
                    c.write(out.asByteBuffer());
                } catch (IOException e) {
                    log.debug("session {}: could not send FATAL {}: {}", id, sqlState, e.getMessage());
                } finally {
                    clientWriteLock.unlock();
                }
            } else {
                log.debug("session {}: FATAL {} not sent, the relay is inside a message", id, sqlState);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the session: releases the backend connection, the client socket and everything running. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        if (workerActive) {
            SessionWorker w = worker;
            if (w != null) {
                w.cancelRunning("client disconnected");
            }
        }
        synchronized (modeLock) {
            backendEof = true;
            modeLock.notifyAll();
        }
        Transport b = backend;
        if (b != null && tracker.pending() > 0 && !reason.startsWith("backend")) {
            // PostgreSQL would run the abandoned query to the end before noticing the client left
            cancelBackendOnly();
        }
        if (b != null) {
            if (!reason.startsWith("backend")) {
                PgBuffer bye = new PgBuffer();
                FrontendMessages.terminate(bye);
                try {
                    b.write(bye.asByteBuffer());
                } catch (IOException ignored) {
                    // PostgreSQL is gone already
                }
            }
            b.close();
        }
        closeQuietly();
        tracker.clear();
        if (backendPid != 0) {
            env.cancelRegistry().unregister(backendPid, this);
        }
        SessionInterceptor i = interceptor;
        if (i != null) {
            try {
                i.close();
            } catch (RuntimeException e) {
                log.warn("session {}: interceptor close failed", id, e);
            }
        }
        if (interceptor != null || backendPid != 0) {
            log.info("session {} closed after {} ms: {}", id,
                    Duration.between(connectedAt, Instant.now()).toMillis(), reason);
        } else {
            log.debug("connection {} from {} ended before a session began: {}", id, remoteAddress, reason);
        }
    }

    String closeReason() {
        return closeReason;
    }

    private void closeQuietly() {
        Transport c = client;
        if (c != null) {
            c.close();
        }
        try {
            clientChannel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---- ClientSession ----

    @Override
    public long sessionId() {
        return id;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public int backendPid() {
        return backendPid;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Instant connectedAt() {
        return connectedAt;
    }

    @Override
    public String parameterStatus(String name) {
        return parameterStatus.get(name);
    }
}
