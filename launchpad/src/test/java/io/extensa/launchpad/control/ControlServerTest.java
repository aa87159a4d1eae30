package io.extensa.launchpad.control;

import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.Processes;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.protocol.launch.ControlMessage;
import io.extensa.protocol.launch.ControlStream;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchError;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken clients on the control socket: each loses its connection (or gets ERROR
 * bad_request when the framing was intact), and the launchpad keeps serving everyone else.
 */
class ControlServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private TestLaunchpad lp;

    @BeforeEach
    void start() throws Exception {
        lp = TestLaunchpad.start(root, Map.of(LaunchpadConfig.REQUEST_TIMEOUT_MS, "500"));
    }

    @AfterEach
    void stop() throws Exception {
        lp.close();
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(lp.launchpad().socketPath()));
    }

    /** Reads until the launchpad closes the connection; returns how many bytes it sent first. */
    private static long readUntilClosed(SocketChannel channel) throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            long total = 0;
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            try {
                int n;
                while ((n = channel.read(buffer.clear())) >= 0) {
                    total += n;
                }
            } catch (IOException e) {
                // reset by the peer: closed too
            }
            received.complete(total);
        });
        return received.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void assertStillServing() throws Exception {
        assertThat(lp.client().status().languageNames()).contains(TestLangRuntime.NAME);
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,exit:0").build())) {
            assertThat(engine.awaitHello(WAIT).pid()).isEqualTo(job.pid());
            assertThat(job.awaitExit(WAIT).map(Exited::exitCode)).contains(0);
        }
    }

    @Test
    void garbageBytesCloseTheConnection() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        try (SocketChannel channel = connect()) {
            channel.write(ByteBuffer.wrap(garbage));
            assertThat(readUntilClosed(channel)).isZero();
        }
        assertStillServing();
    }

    @Test
    void aFourGigabyteFrameLengthClosesTheConnectionWithoutAllocating() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x53545845).put((byte) 1).put((byte) MessageType.LAUNCH.code()).putShort((short) 0)
                .putInt(0xFFFFFFF8).putInt(0).flip();
        long before = usedHeap();
        try (SocketChannel channel = connect()) {
            channel.write(header);
            assertThat(readUntilClosed(channel)).isZero();
        }
        assertThat(usedHeap() - before).isLessThan(512L * 1024 * 1024);
        assertStillServing();
    }

    @Test
    void aFrameCutShortClosesTheConnectionAfterTheRequestTimeout() throws Exception {
        ByteBuffer partial = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        partial.putInt(0x53545845).put((byte) 1).put((byte) MessageType.LAUNCH.code()).putShort((short) 0)
                .putInt(1024).putInt(0).putLong(0).flip();
        try (SocketChannel channel = connect()) {
            channel.write(partial);
            assertThat(readUntilClosed(channel)).isZero();
        }
        assertStillServing();
    }

    @Test
    void aSilentClientIsDisconnected() throws Exception {
        try (SocketChannel channel = connect()) {
            assertThat(readUntilClosed(channel)).isZero();
        }
        assertStillServing();
    }

    @Test
    void aWellFramedButInvalidLaunchGetsBadRequest() throws Exception {
        PayloadBuilder launch = new PayloadBuilder()
                .text(1, "../../etc")
                .text(2, TestLangRuntime.NAME)
                .text(3, "/tmp/x.sock")
                .bytes(4, new byte[32])
                .text(5, "mallory");
        LaunchError error = sendFirst(MessageType.LAUNCH, launch);
        assertThat(error.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST);
        assertThat(error.message()).contains("invalid job id '../../etc'");
        assertStillServing();
    }

    @Test
    void aLaunchWithoutRequiredFieldsGetsBadRequestNamingTheField() throws Exception {
        LaunchError error = sendFirst(MessageType.LAUNCH, new PayloadBuilder().text(1, "job-x").text(2, "TestLang"));
        assertThat(error.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST);
        assertThat(error.message()).isEqualTo("LAUNCH: required field 3 socket_path is missing");
    }

    @Test
    void aShortSecretGetsBadRequest() throws Exception {
        LaunchError error = sendFirst(MessageType.LAUNCH, new PayloadBuilder().text(1, "job-x").text(2, "TestLang")
                .text(3, "/tmp/x.sock").bytes(4, new byte[5]).text(5, "alice"));
        assertThat(error.message()).contains("secret must be 32 bytes, not 5");
    }

    @Test
    void invalidUtf8GetsBadRequest() throws Exception {
        ByteBuffer bad = ByteBuffer.wrap(new byte[] {(byte) 0xC3, (byte) 0x28});
        // a TEXT field assembled by hand: the builder only writes valid UTF-8
        ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        raw.putShort((short) 1).put((byte) 4).put((byte) 0).putInt(2).put(bad).put(new byte[6]).flip();
        LaunchError error = sendRawFirst(MessageType.LAUNCH, raw);
        assertThat(error.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST);
        assertThat(error.message()).contains("not valid UTF-8");
    }

    @Test
    void anUnexpectedFirstMessageGetsBadRequest() throws Exception {
        LaunchError error = sendFirst(MessageType.EXITED, new PayloadBuilder().text(1, "job-x").int64(2, 0)
                .text(4, "exited"));
        assertThat(error.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST);
        assertThat(error.message()).contains("must start with LAUNCH, STATUS_REQUEST or POOLS, not EXITED");
    }

    @Test
    void anUnknownCriticalFieldGetsBadRequest() throws Exception {
        LaunchError error = sendFirst(MessageType.STATUS_REQUEST, new PayloadBuilder().critical().int64(77, 1));
        assertThat(error.message()).contains("unknown critical field 77");
    }

    @Test
    void garbageAfterLaunchEndsThatJobOnly() throws Exception {
        FakeEngine engine = lp.engine();
        FakeEngine other = lp.engine();
        try (LaunchedJob bystander = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, other, "hello,sleep").build());
             SocketChannel channel = connect()) {
            ControlStream stream = ControlStream.over(channel);
            stream.send(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").build());
            ControlMessage launched = stream.receive();
            assertThat(launched.type()).isEqualTo(MessageType.LAUNCHED);
            long pid = engine.awaitHello(WAIT).pid();
            channel.write(ByteBuffer.wrap("not a frame, not at all".getBytes()));
            assertThat(readUntilClosed(channel)).isGreaterThanOrEqualTo(0);
            assertThat(Processes.awaitGone(List.of(pid), WAIT)).isEmpty();
            assertThat(bystander.exit()).isNotDone();
            assertThat(lp.client().status().jobs()).extracting(j -> j.jobId()).containsExactly(bystander.jobId());
        }
    }

    private LaunchError sendFirst(MessageType type, PayloadBuilder payload) throws Exception {
        try (SocketChannel channel = connect()) {
            new FrameWriter(channel, 1 << 20).write(type, payload);
            ControlMessage reply = ControlStream.over(channel).receive();
            assertThat(reply).isInstanceOf(LaunchError.class);
            assertThat(readUntilClosed(channel)).isZero();
            return (LaunchError) reply;
        }
    }

    private LaunchError sendRawFirst(MessageType type, ByteBuffer payload) throws Exception {
        try (SocketChannel channel = connect()) {
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0x53545845).put((byte) 1).put((byte) type.code()).putShort((short) 0)
                    .putInt(payload.remaining()).putInt(0).flip();
            channel.write(new ByteBuffer[] {header, payload});
            ControlMessage reply = ControlStream.over(channel).receive();
            assertThat(reply).isInstanceOf(LaunchError.class);
            return (LaunchError) reply;
        }
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
