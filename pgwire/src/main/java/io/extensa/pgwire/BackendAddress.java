package io.extensa.pgwire;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where the real PostgreSQL listens: a Unix socket file or a TCP host and port. */
public sealed interface BackendAddress {

    SocketAddress socketAddress();

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
