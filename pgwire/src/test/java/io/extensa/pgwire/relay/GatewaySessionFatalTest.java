package io.extensa.pgwire.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.GatewayConfig;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GatewaySessionFatalTest {

    /** Regression: the relay thread may still hold the write lock just after its last write reached the client. */
    @Test
    void fatalErrorWaitsForTheRelayToReleaseTheClient() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel peer = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            SessionEnvironment env = new SessionEnvironment(
                    GatewayConfig.loopback(0, new BackendAddress.Unix(Path.of("/nonexistent"))),
                    StatementInterceptor.RELAY_ALL, new CancelRegistry(), Executors.newSingleThreadExecutor(), null,
                    new AtomicLong());
            GatewaySession session = new GatewaySession(env, accepted);
            session.client = Transport.of(accepted);
            CountDownLatch locked = new CountDownLatch(1);
            Thread relay = Thread.ofPlatform().start(() -> {
                session.clientWriteLock.lock();
                try {
                    locked.countDown();
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                } finally {
                    session.clientWriteLock.unlock();
                }
            });
            locked.await();
            session.sendFatal("08P01", "invalid length");
            relay.join();
            Thread.sleep(100);
            peer.configureBlocking(false);
            ByteBuffer got = ByteBuffer.allocate(200);
            peer.read(got);
            got.flip();
            assertThat(got.remaining()).isPositive();
            assertThat((char) got.get(0)).isEqualTo('E');
            assertThat(StandardCharsets.UTF_8.decode(got).toString()).contains("invalid length");
            env.workers().shutdownNow();
        }
    }
}
