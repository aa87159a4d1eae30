package io.extensa.engine.script;

import io.extensa.protocol.message.Hello;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.message.Welcome;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's end of one job's satellite connection: a Unix socket the engine listens on for
 * exactly one connection, whose first frame must be a HELLO naming the job and proving its secret.
 */
final class SatelliteChannel implements AutoCloseable {

    /** Largest frame the engine accepts from a satellite (PostgreSQL's own field limit is 1 GB). */
    static final long MAX_FRAME = (1L << 30) + (1L << 20);

    private final Path socketPath;
    private final ServerSocketChannel listener;
    private SocketChannel channel;
    private FrameReader reader;
    private FrameWriter writer;
    private volatile Hello hello;
    private volatile boolean timedOut;
    private volatile boolean loopback;
    private volatile String loopbackDsn;

    private SatelliteChannel(Path socketPath, ServerSocketChannel listener) {
        this.socketPath = socketPath;
        this.listener = listener;
    }

    static SatelliteChannel listen(Path socketPath) throws IOException {
        Files.deleteIfExists(socketPath);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(socketPath), 1);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return new SatelliteChannel(socketPath, listener);
    }

    Path socketPath() {
        return socketPath;
    }

    /**
     * Waits for the satellite to connect and greet, at most {@code timeout} and only while its
     * process runs ({@code exit} not complete); then {@link #timedOut} tells which ended the wait.
     * WELCOME is held back: the caller sends it ({@link #welcome}) when the satellite may go on, a
     * standby satellite only once a call takes it.
     */
    Hello acceptHello(String jobId, byte[] secret, CompletableFuture<?> exit, ScheduledExecutorService timers,
                      Duration timeout) throws IOException {
        ScheduledFuture<?> timer = timers.schedule(() -> {
            timedOut = true;
            close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        exit.whenComplete((exited, error) -> {
            if (hello == null) {
                close();
            }
        });
        try {
            return acceptHello(jobId, secret);
        } finally {
            timer.cancel(false);
        }
    }

    /** Whether the connect timeout closed the channel before the satellite greeted. */
    boolean timedOut() {
        return timedOut;
    }

    private Hello acceptHello(String jobId, byte[] secret) throws IOException {
        channel = listener.accept();
        listener.close();
        Files.deleteIfExists(socketPath);
        reader = new FrameReader(channel, MAX_FRAME);
        Frame first = reader.read();
        if (first == null || first.type() != MessageType.HELLO) {
            throw new ProtocolException("the satellite did not start with HELLO");
        }
        Hello h = Hello.decode(first.fields());
        if (!jobId.equals(h.jobId()) || h.secret() == null || !MessageDigest.isEqual(secret, h.secret())) {
            throw new ProtocolException("a process connected to the job socket without the job's secret");
        }
        long peerMax = h.maxFrame() > 0 ? Math.min(h.maxFrame(), MAX_FRAME) : MAX_FRAME;
        writer = new FrameWriter(channel, peerMax);
        hello = h;
        return h;
    }

    /** Sends WELCOME, with the loopback offer made so far; the satellite then waits for SESSION_INIT. */
    void welcome() throws IOException {
        Messages.write(writer, new Welcome(MAX_FRAME, loopback, loopbackDsn));
    }

    /**
     * Offers loopback statements in WELCOME, with the loopback socket's connection string when
     * there is one (null: none); set before WELCOME is sent.
     */
    void offerLoopback(String dsn) {
        this.loopback = true;
        this.loopbackDsn = dsn;
    }

    Hello hello() {
        return hello;
    }

    void send(Message message) throws IOException {
        Messages.write(writer, message);
    }

    void send(MessageType type, PayloadBuilder payload) throws IOException {
        writer.write(type, payload);
    }

    /** The next message, or null when the satellite closed the connection between frames. */
    Message read() throws IOException {
        Frame frame = reader.read();
        return frame == null ? null : Messages.decode(frame);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException ignored) {
            // a stale socket file is removed at the next start
        }
    }
}
