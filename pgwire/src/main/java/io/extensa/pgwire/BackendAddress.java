package io.extensa.pgwire;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where the real PostgreSQL listens: a Unix socket file or a TCP host and port. */
public sealed interface BackendAddress {

    SocketAddress socketAddress();

    /** Opens a blocking connection; a TCP connect gives up after {@code timeout}. */
    default java.nio.channels.SocketChannel open(java.time.Duration timeout) throws java.io.IOException {
        boolean tcp = this instanceof Tcp;
        java.nio.channels.SocketChannel channel = tcp ? java.nio.channels.SocketChannel.open()
                : java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        try {
            if (tcp) {
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
                // the socket adaptor is the only way to bound a blocking TCP connect
                channel.socket().connect(socketAddress(), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            } else {
                channel.connect(socketAddress());
            }
            return channel;
        } catch (java.io.IOException e) {
            channel.close();
            throw e;
        }
    }

    /** PostgreSQL's socket file, e.g. {@code DIR/run/.s.PGSQL.5432}. */
    record Unix(Path socketFile) implements BackendAddress {
        @Override
        public SocketAddress socketAddress() {
            return UnixDomainSocketAddress.of(socketFile);
        }

        @Override
        public String toString() {
            return socketFile.toString();
        }
    }

    record Tcp(String host, int port) implements BackendAddress {
        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** PostgreSQL's naming: a socket directory plus port gives {@code dir/.s.PGSQL.port}. */
    static Unix unixSocketInDirectory(Path directory, int port) {
        return new Unix(directory.resolve(".s.PGSQL." + port));
    }
}
