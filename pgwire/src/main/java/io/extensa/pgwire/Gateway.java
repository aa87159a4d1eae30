package io.extensa.pgwire;

import io.extensa.pgwire.intercept.StatementInterceptor;
import java.io.IOException;

/**
 * The PostgreSQL wire-protocol gateway: accepts clients, relays them to the backend and hands
 * Extensa statements to the interceptor. (Implementation in progress on the pgwire branch.)
 */
public final class Gateway implements AutoCloseable {

    private final GatewayConfig config;
    private final StatementInterceptor interceptor;

    public Gateway(GatewayConfig config, StatementInterceptor interceptor) {
        this.config = config;
        this.interceptor = interceptor;
    }

    /** Binds the listening socket and starts accepting; throws {@link java.net.BindException} when the port is taken. */
    public void start() throws IOException {
        throw new IOException("gateway not yet implemented");
    }

    /** The bound TCP port (useful with port 0). */
    public int port() {
        return config.listenPort();
    }

    /** Stops accepting, closes every session and its backend connection. */
    @Override
    public void close() {
    }
}
