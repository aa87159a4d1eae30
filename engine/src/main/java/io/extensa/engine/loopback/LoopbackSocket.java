package io.extensa.engine.loopback;

import io.extensa.engine.audit.Audit;
import io.extensa.pgwire.intercept.ClientSession;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's door for standard clients (psycopg2, RPostgres, psqlODBC): a PostgreSQL-protocol
 * server on a Unix socket inside the job's working directory, the one place the sandbox leaves
 * visible to the satellite, so no TCP is needed. It accepts only the job's token as password and
 * only the calling user's name, exists only while the job lives, and runs every statement through
 * the job's {@link LoopbackSession}: on the caller's own backend connection, as the caller.
 */
public final class LoopbackSocket implements AutoCloseable {

    /** Directory in the job's working directory that holds the socket. */
    public static final String DIRECTORY = ".extensa-loopback";
    /** libpq names the socket after the port: DIRECTORY/.s.PGSQL.5432. */
    public static final int PORT = 5432;
    static final int MAX_CONNECTIONS = 16;
    private static final SecureRandom TOKENS = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(LoopbackSocket.class);

    private final Bound bound;
    private final String token;
    private final LoopbackSession session;
    private final ClientSession caller;
    private final String jobId;
    private final Set<LoopbackConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile boolean closed;

    private LoopbackSocket(Bound bound, LoopbackSession session, ClientSession caller, String jobId) {
        this.bound = bound;
        byte[] secret = new byte[32];
        TOKENS.nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret);
        this.session = session;
        this.caller = caller;
        this.jobId = jobId;
    }

    /**
     * The socket file bound and listening, nobody accepting yet: made ahead of its call for a
     * standby satellite, which cannot connect before its call anyway. Closing it removes it.
     */
    public static final class Bound implements AutoCloseable {
        private final Path directory;
        private final Path socketPath;
        private final ServerSocketChannel listener;

        private Bound(Path directory, ServerSocketChannel listener) {
            this.directory = directory;
            this.socketPath = directory.resolve(".s.PGSQL." + PORT);
            this.listener = listener;
        }

        @Override
        public void close() {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                Files.deleteIfExists(socketPath);
                Files.deleteIfExists(directory);
            } catch (IOException ignored) {
                // the job directory goes with the job
            }
        }
    }

    /** Creates WORKDIR/.extensa-loopback/.s.PGSQL.5432, listening; {@link #start} then accepts on it. */
    public static Bound bind(Path workDir) throws IOException {
        Path directory = workDir.resolve(DIRECTORY);
        Files.createDirectories(directory);
        // the satellite may run as another account: it must reach the socket; the job directory guards it
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = directory.resolve(".s.PGSQL." + PORT);
        Files.deleteIfExists(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(socket), MAX_CONNECTIONS);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException e) {
            listener.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        return new Bound(directory, listener);
    }

    /** Creates WORKDIR/.extensa-loopback/.s.PGSQL.5432 and starts accepting. */
    public static LoopbackSocket open(Path workDir, LoopbackSession session, ClientSession caller, String jobId)
            throws IOException {
        return start(bind(workDir), session, caller, jobId);
    }

    /** Starts accepting on a bound socket, for this call's session and caller. */
    public static LoopbackSocket start(Bound bound, LoopbackSession session, ClientSession caller, String jobId) {
        LoopbackSocket s = new LoopbackSocket(bound, session, caller, jobId);
        // virtual: it only waits in accept(), and starting it is on the call's path
        Thread.ofVirtual().name("extensa-loopback-" + jobId).start(s::acceptLoop);
        return s;
    }

    /** The libpq connection string a script's client uses (EXTENSA_LOOPBACK_DSN). */
    public String connectionString() {
        return "host=" + quote(bound.directory.toString()) + " port=" + PORT + " dbname=" + quote(caller.database()) + " user="
                + quote(caller.user()) + " password=" + token + " sslmode=disable";
    }

    public Path socketPath() {
        return bound.socketPath;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = bound.listener.accept();
            } catch (IOException e) {
                return;
            }
            if (closed || connections.size() >= MAX_CONNECTIONS) {
                LoopbackConnection.refuse(channel, connections.size() >= MAX_CONNECTIONS
                        ? "too many loopback connections for this job" : "the job has ended");
                continue;
            }
            LoopbackConnection c = new LoopbackConnection(channel, this, connectionIds.incrementAndGet());
            connections.add(c);
            Thread t = new Thread(() -> {
                try {
                    c.serve();
                } finally {
                    connections.remove(c);
                }
            }, "extensa-loopback-" + jobId + "-" + c.id());
            t.setDaemon(true);
            t.start();
        }
    }

    boolean tokenMatches(String password) {
        return password != null && java.security.MessageDigest.isEqual(token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    boolean closed() {
        return closed;
    }

    LoopbackSession session() {
        return session;
    }

    ClientSession caller() {
        return caller;
    }

    void denied(String reason) {
        log.info("job {}: loopback connection refused: {}", jobId, reason);
        Audit.denied(caller.user(), caller.database(), caller.sessionId(), "loopback connection request=" + jobId,
                reason);
    }

    /** Stops accepting, ends every connection, removes the socket and its directory: the token is dead. */
    @Override
    public void close() {
        closed = true;
        bound.close();
        for (LoopbackConnection c : connections) {
            c.close();
        }
    }

    /** A libpq value: quoted when it holds spaces, quotes or backslashes. */
    static String quote(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '\\' || c == '=')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
