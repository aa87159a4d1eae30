package io.extensa.pgwire.relay;

import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.PgBuffer;
import java.io.IOException;
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
        return address.open(timeout);
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
