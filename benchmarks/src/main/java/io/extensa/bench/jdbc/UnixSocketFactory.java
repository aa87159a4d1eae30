package io.extensa.bench.jdbc;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.SocketFactory;

/**
 * Lets pgjdbc reach PostgreSQL over its Unix socket, the way psql and the gateway do: pgjdbc
 * speaks only TCP, and the managed PostgreSQL listens on no TCP port. Peers measured "directly"
 * must not pay a relay hop, so the harness gives them this path.
 *
 * <p>Use with {@code socketFactory=io.extensa.bench.jdbc.UnixSocketFactory} and
 * {@code socketFactoryArg=/path/to/.s.PGSQL.5432}; the host and port of the URL are ignored.
 */
public final class UnixSocketFactory extends SocketFactory {

    private final Path socketFile;

    /** pgjdbc passes {@code socketFactoryArg} to this constructor. */
    public UnixSocketFactory(String socketFile) {
        if (socketFile == null || socketFile.isBlank()) {
            throw new IllegalArgumentException("socketFactoryArg must name PostgreSQL's socket file");
        }
        this.socketFile = Path.of(socketFile);
    }

    @Override
    public Socket createSocket() {
        return new UnixDomainSocket(socketFile);
    }

    @Override
    public Socket createSocket(String host, int port) {
        throw unconnectedOnly();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw unconnectedOnly();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
        throw unconnectedOnly();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw unconnectedOnly();
    }

    private static UnsupportedOperationException unconnectedOnly() {
        return new UnsupportedOperationException("pgjdbc creates unconnected sockets; connect() goes to the Unix socket");
    }
}
