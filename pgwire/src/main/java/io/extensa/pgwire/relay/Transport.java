package io.extensa.pgwire.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/** A byte stream to a client or to PostgreSQL: a plain socket channel or a TLS socket. */
interface Transport extends AutoCloseable {

    /** Reads into the buffer; -1 at end of stream. */
    int read(ByteBuffer into) throws IOException;

    /** Writes all remaining bytes. */
    void write(ByteBuffer from) throws IOException;

    boolean secure();

    @Override
    void close();

    static Transport of(SocketChannel channel) {
        return new ChannelTransport(channel);
    }

    static Transport of(SSLSocket socket) throws IOException {
        return new TlsTransport(socket);
    }

    final class ChannelTransport implements Transport {
        private final SocketChannel channel;

        ChannelTransport(SocketChannel channel) {
            this.channel = channel;
        }

        SocketChannel channel() {
            return channel;
        }

        @Override
        public int read(ByteBuffer into) throws IOException {
            return channel.read(into);
        }

        @Override
        public void write(ByteBuffer from) throws IOException {
            while (from.hasRemaining()) {
                channel.write(from);
            }
        }

        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is best effort; the peer may already be gone
            }
        }
    }

    final class TlsTransport implements Transport {
        private final SSLSocket socket;
        private final InputStream in;
        private final OutputStream out;

        TlsTransport(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(ByteBuffer into) throws IOException {
            int n = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
            if (n > 0) {
                into.position(into.position() + n);
            }
            return n;
        }

        @Override
        public void write(ByteBuffer from) throws IOException {
            if (from.hasArray()) {
                out.write(from.array(), from.arrayOffset() + from.position(), from.remaining());
                from.position(from.limit());
            } else {
                byte[] copy = new byte[from.remaining()];
                from.get(copy);
                out.write(copy);
            }
            out.flush();
        }

        @Override
        public boolean secure() {
            return true;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
