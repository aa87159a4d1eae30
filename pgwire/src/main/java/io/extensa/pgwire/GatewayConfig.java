package io.extensa.pgwire;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway listens and where it relays to.
 *
 * @param listenHost         address to bind, {@code 127.0.0.1} by default (loopback only)
 * @param listenPort         TCP port; 0 picks a free one (tests)
 * @param backend            the real PostgreSQL
 * @param tls                certificate for SSLRequest; empty answers 'N'
 * @param maxStartupPacket   startup packets above this are refused before being read
 * @param maxMessage         largest client message accepted (PostgreSQL's own limit is 1 GB)
 * @param backendConnectTimeout how long to wait for PostgreSQL to accept a connection
 */
public record GatewayConfig(
        String listenHost,
        int listenPort,
        BackendAddress backend,
        Optional<TlsSettings> tls,
        int maxStartupPacket,
        int maxMessage,
        Duration backendConnectTimeout) {

    public static final int DEFAULT_MAX_STARTUP_PACKET = 10_000;
    public static final int DEFAULT_MAX_MESSAGE = 1 << 30;

    public GatewayConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(backendConnectTimeout, "backendConnectTimeout");
    }

    public static GatewayConfig loopback(int port, BackendAddress backend) {
        return new GatewayConfig("127.0.0.1", port, backend, Optional.empty(),
                DEFAULT_MAX_STARTUP_PACKET, DEFAULT_MAX_MESSAGE, Duration.ofSeconds(10));
    }

    public GatewayConfig withTls(TlsSettings settings) {
        return new GatewayConfig(listenHost, listenPort, backend, Optional.of(settings), maxStartupPacket,
                maxMessage, backendConnectTimeout);
    }
}
