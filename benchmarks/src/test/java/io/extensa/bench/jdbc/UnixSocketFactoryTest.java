package io.extensa.bench.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketFactoryTest {

    @Test
    void theSocketTalksToTheUnixSocketWhateverAddressItIsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(".s.PGSQL.5432");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(file));
            Thread echo = Thread.ofPlatform().start(() -> {
                try (SocketChannel peer = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    while (peer.read(buffer) >= 0) {
                        buffer.flip();
                        peer.write(buffer);
                        buffer.clear();
                    }
                } catch (Exception ignored) {
                    // the test closes the connection
                }
            });
            Socket socket = new UnixSocketFactory(file.toString()).createSocket();
            assertThat(socket.isConnected()).isFalse();
            socket.connect(new InetSocketAddress("localhost", 5432), 1000);
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(0);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("ping".getBytes());
            out.flush();
            assertThat(in.readNBytes(4)).isEqualTo("ping".getBytes());
            socket.close();
            assertThat(socket.isClosed()).isTrue();
            assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class);
            echo.join(5000);
        }
    }

    @Test
    void aMissingSocketFileIsAConnectError(@TempDir Path dir) {
        Socket socket = new UnixSocketFactory(dir.resolve("none").toString()).createSocket();
        assertThatThrownBy(() -> socket.connect(new InetSocketAddress("localhost", 5432)))
                .isInstanceOf(SocketException.class).hasMessageContaining("cannot connect");
    }

    @Test
    void theSocketFileMustBeNamed() {
        assertThatThrownBy(() -> new UnixSocketFactory(" ")).hasMessageContaining("socketFactoryArg");
    }
}
