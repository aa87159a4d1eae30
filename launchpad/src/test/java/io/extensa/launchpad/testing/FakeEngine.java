package io.extensa.launchpad.testing;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.MessageType;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's side of one job's socket, as far as the launchpad tests need it: listens, accepts
 * the satellite's connection and decodes its HELLO (including the test satellite's report of its
 * pid, session, working directory and environment).
 */
public final class FakeEngine implements AutoCloseable {

    /** What the test satellite said in its HELLO. */
    public record Hello(byte[] secret, long pid, long sessionId, long parentPid, String cwd,
                        Map<String, String> environment) {
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final CompletableFuture<Hello> hello = new CompletableFuture<>();
    private volatile SocketChannel connection;

    private FakeEngine(Path socket) throws IOException {
        this.socket = socket;
        Files.createDirectories(socket.getParent());
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("fake-engine").start(this::acceptOne);
    }

    public static FakeEngine listen(Path socket) throws IOException {
        return new FakeEngine(socket);
    }

    public Path socket() {
        return socket;
    }

    public Hello awaitHello(Duration timeout) throws Exception {
        return hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public CompletableFuture<Hello> hello() {
        return hello;
    }

    private void acceptOne() {
        try {
            SocketChannel channel = server.accept();
            connection = channel;
            Frame frame = new FrameReader(channel, 1 << 20).read();
            if (frame == null || frame.type() != MessageType.HELLO) {
                throw new IOException("expected HELLO, got " + (frame == null ? "end of stream" : frame.type()));
            }
            hello.complete(decode(frame.fields()));
        } catch (Throwable t) {
            hello.completeExceptionally(t);
        }
    }

    private static Hello decode(FieldCursor fields) throws IOException {
        byte[] secret = null;
        long pid = 0;
        Map<String, String> report = new HashMap<>();
        while (fields.next()) {
            switch (fields.tag()) {
                case 2 -> {
                    ByteBuffer bytes = fields.asBytes();
                    secret = new byte[bytes.remaining()];
                    bytes.get(secret);
                }
                case 5 -> pid = fields.asInt();
                case 100 -> {
                    String[] parts = fields.asText().split("\0", -1);
                    for (int i = 0; i + 1 < parts.length; i += 2) {
                        report.put(parts[i], parts[i + 1]);
                    }
                }
                default -> fields.skipUnknown();
            }
        }
        Map<String, String> environment = new HashMap<>();
        report.forEach((key, value) -> {
            if (key.startsWith("env.")) {
                environment.put(key.substring(4), value);
            }
        });
        return new Hello(secret, pid, Long.parseLong(report.getOrDefault("sid", "0")),
                Long.parseLong(report.getOrDefault("ppid", "0")), report.get("cwd"), environment);
    }

    @Override
    public void close() throws IOException {
        SocketChannel channel = connection;
        if (channel != null) {
            channel.close();
        }
        server.close();
        Files.deleteIfExists(socket);
    }
}
