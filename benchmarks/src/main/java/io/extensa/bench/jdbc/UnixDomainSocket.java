package io.extensa.bench.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A {@link Socket} face on a Unix domain {@link SocketChannel}, with just the behaviour pgjdbc
 * uses: connect (to the fixed socket file, whatever address it is given), the two streams, close.
 * TCP options are accepted and ignored; they have no meaning on a Unix socket. Read timeouts are
 * not supported (the benchmark never sets one).
 */
final class UnixDomainSocket extends Socket {

    private final Path socketFile;
    private SocketChannel channel;
    private InputStream input;
    private OutputStream output;
    private int soTimeout;
    private volatile boolean closed;

    UnixDomainSocket(Path socketFile) {
        this.socketFile = socketFile;
    }

    @Override
    public synchronized void connect(SocketAddress ignored, int timeout) throws IOException {
        connect(ignored);
    }

    @Override
    public synchronized void connect(SocketAddress ignored) throws IOException {
        if (channel != null) {
            throw new SocketException("already connected");
        }
        SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            opened.connect(UnixDomainSocketAddress.of(socketFile));
        } catch (IOException e) {
            opened.close();
            throw new SocketException("cannot connect to " + socketFile + ": " + e.getMessage());
        }
        channel = opened;
        input = Channels.newInputStream(opened);
        output = Channels.newOutputStream(opened);
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isBound() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        requireConnected();
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        requireConnected();
        return output;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        requireConnected();
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        requireConnected();
        channel.shutdownOutput();
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // no Nagle on a Unix socket
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
        // no keepalive probes on a Unix socket
    }

    @Override
    public boolean getKeepAlive() {
        return false;
    }

    @Override
    public void setReceiveBufferSize(int size) {
        // the kernel's defaults apply, as for psql
    }

    @Override
    public void setSendBufferSize(int size) {
        // the kernel's defaults apply, as for psql
    }

    @Override
    public void setSoTimeout(int timeout) {
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // nothing to linger for
    }

    @Override
    public String toString() {
        return "UnixDomainSocket[" + socketFile + (closed ? ", closed" : "") + "]";
    }

    private void requireConnected() throws SocketException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        if (channel == null) {
            throw new SocketException("not connected");
        }
    }
}
