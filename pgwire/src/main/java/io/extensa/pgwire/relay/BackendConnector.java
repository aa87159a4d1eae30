package io.extensa.pgwire.relay;

import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.PgBuffer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens connections to PostgreSQL: sessions, and one-shot CancelRequests. */
final class BackendConnector {

    private static final Logger log = LoggerFactory.getLogger(BackendConnector.class);

    private BackendConnector() {
    }

    static SocketChannel connect(BackendAddress address, Duration timeout) throws IOException {
        SocketChannel channel = address instanceof BackendAddress.Unix
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        try {
            if (address instanceof BackendAddress.Tcp) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            if (address instanceof BackendAddress.Tcp) {
                // the socket adaptor is the only way to bound a blocking TCP connect
                channel.socket().connect(address.socketAddress(), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            } else {
                channel.connect(address.socketAddress());
            }
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Fire-and-forget CancelRequest with PostgreSQL's real key. */
    static void sendCancel(BackendAddress address, int pid, int key) {
        try (SocketChannel channel = connect(address, Duration.ofSeconds(5))) {
            PgBuffer out = new PgBuffer();
            FrontendMessages.cancelRequest(out, pid, key);
            Transport.of(channel).write(out.asByteBuffer());
            // PostgreSQL closes the connection once it has read the request
            channel.read(java.nio.ByteBuffer.allocate(1));
        } catch (IOException e) {
            log.warn("cancel request for backend {} failed: {}", pid, e.getMessage());
        }
    }
}
