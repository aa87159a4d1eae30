package io.extensa.pgwire;

import io.extensa.pgwire.intercept.StatementInterceptor;
import io.extensa.pgwire.relay.CancelRegistry;
import io.extensa.pgwire.relay.SessionEnvironment;
import io.extensa.pgwire.relay.SessionLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire-protocol gateway: accepts clients, relays each to its own backend
 * connection and hands Extensa statements to the interceptor.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final StatementInterceptor interceptor;
    private final CancelRegistry cancelRegistry = new CancelRegistry();
    private final SessionLauncher sessions = new SessionLauncher();
    private ExecutorService workers;
    private ServerSocketChannel server;
    private Thread acceptor;
    private volatile boolean closing;

    public Gateway(GatewayConfig config, StatementInterceptor interceptor) {
        this.config = config;
        this.interceptor = interceptor;
    }

    /** Binds the listening socket and starts accepting; throws {@link java.net.BindException} when the port is taken. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        SSLContext tls = config.tls().isPresent() ? TlsContexts.fromPem(config.tls().get()) : null;
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(config.listenHost(), config.listenPort()), 512);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        server = channel;
        AtomicInteger workerIds = new AtomicInteger();
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pg-worker-pool-" + workerIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SessionEnvironment env = new SessionEnvironment(config, interceptor, cancelRegistry, workers, tls,
                new AtomicLong());
        acceptor = Thread.ofPlatform().name("pg-accept-" + port()).daemon().start(() -> acceptLoop(env));
        log.info("gateway listening on {}:{}, relaying to PostgreSQL at {}{}", config.listenHost(), port(),
                config.backend(), tls != null ? " (TLS available)" : "");
    }

    private void acceptLoop(SessionEnvironment env) {
        while (!closing) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closing) {
                    log.warn("accept failed: {}", e.getMessage());
                }
                continue;
            }
            try {
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                sessions.launch(env, client);
            } catch (IOException | RuntimeException e) {
                log.warn("could not start a session: {}", e.toString());
                try {
                    client.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /** The bound TCP port (useful with port 0). */
    public int port() {
        ServerSocketChannel s = server;
        if (s == null) {
            return config.listenPort();
        }
        try {
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        } catch (IOException e) {
            return config.listenPort();
        }
    }

    /** Sessions currently open (client connected, whether or not authenticated). */
    public int openSessions() {
        return sessions.open();
    }

    /** Stops accepting, closes every session and its backend connection. */
    @Override
    public synchronized void close() {
        if (server == null || closing) {
            return;
        }
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sessions.closeAll("gateway shutting down");
        if (acceptor != null) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("gateway on port {} stopped", config.listenPort());
    }
}
