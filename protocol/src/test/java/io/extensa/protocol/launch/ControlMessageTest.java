package io.extensa.protocol.launch;

import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlMessageTest {

    private static final byte[] SECRET = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    /** Frames as bytes, the way they travel. */
    static byte[] bytesOf(ControlMessage... messages) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel sink = Channels.newChannel(out);
        GatheringByteChannel channel = new GatheringByteChannel() {
            @Override
            public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
                long total = 0;
                for (int i = offset; i < offset + length; i++) {
                    total += sink.write(sources[i]);
                }
                return total;
            }

            @Override
            public long write(ByteBuffer[] sources) throws IOException {
                return write(sources, 0, sources.length);
            }

            @Override
            public int write(ByteBuffer source) throws IOException {
                return sink.write(source);
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        FrameWriter writer = new FrameWriter(channel, ControlStream.MAX_PAYLOAD);
        for (ControlMessage message : messages) {
            writer.write(message.type(), message.encode());
        }
        return out.toByteArray();
    }

    static ControlMessage roundTrip(ControlMessage message) throws Exception {
        FrameReader reader = new FrameReader(Channels.newChannel(new ByteArrayInputStream(bytesOf(message))),
                ControlStream.MAX_PAYLOAD);
        Frame frame = reader.read();
        assertThat(frame.type()).isEqualTo(message.type());
        assertThat(reader.read()).isNull();
        return ControlMessage.decode(frame);
    }

    static ControlMessage decode(MessageType type, PayloadBuilder payload) throws ProtocolException {
        return ControlMessage.decode(new Frame(type, 0, payload.toByteBuffer()));
    }

    private static LaunchRequest fullRequest() {
        return LaunchRequest.builder("job_42-a", "Python")
                .socketPath("/var/lib/extensa/run/jobs/job_42-a.sock")
                .secret(SECRET)
                .user("alice")
                .database("analytics")
                .pool("etl")
                .sessionId(77)
                .env("OMP_NUM_THREADS", "1")
                .env("GREETING", "grüß dich")
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void everyMessageSurvivesARoundTrip() throws Exception {
        List<ControlMessage> messages = List.of(
                fullRequest(),
                new Launched("job_42-a", 4242, "/jobs/job_42-a", true, "extensa_w03"),
                new Exited("job_42-a", -1, 9, ExitReason.TIMEOUT, "Traceback...\nImportError: no pandas\n"),
                new CancelJob("job_42-a"),
                new LaunchError(LaunchErrorKind.UNKNOWN_LANGUAGE, "no language 'Perl'; available: Python, R"),
                new StatusRequest(),
                new LaunchpadStatus(99, "0.1.0", List.of(new LaunchpadStatus.LanguageInfo("Python", true, 100),
                        new LaunchpadStatus.LanguageInfo("R", false, 0)),
                        List.of(new LaunchpadStatus.JobInfo("j1", 5, "Python", "alice", 1_700_000_000_000L, "default",
                                true, true, false), new LaunchpadStatus.JobInfo("j2", 6, "R", "bob", 1_700_000_000_001L,
                                "etl", false, false, true)), "unprivileged, no sandbox"),
                new ForkServerHello("python", "3.11.2", 100),
                new ForkRequest("j1", "/run/j1.sock", SECRET, "/jobs/j1", Map.of("PATH", "/usr/bin", "HOME", "/jobs/j1"),
                        "/jobs/.j1.out"),
                new ForkRequest("j2", "/run/j2.sock", SECRET, "/jobs/j2", Map.of(), ""),
                new Forked("j1", 101),
                new ChildExited("j1", 101, -1, 15));
        for (ControlMessage message : messages) {
            assertThat(roundTrip(message)).as(message.type().toString()).isEqualTo(message);
        }
    }

    @Test
    void standbyMessagesSurviveARoundTrip() throws Exception {
        LaunchRequest standby = LaunchRequest.builder("j5", "R").socketPath("/run/j5.sock").secret(SECRET)
                .user("carol").standby(true).build();
        assertThat(standby.standby()).isTrue();
        assertThat(fullRequest().standby()).isFalse();
        for (ControlMessage message : List.of(standby, new Activate("j5", 2500), new Activate("j5", 0),
                new Activated("j5"))) {
            assertThat(roundTrip(message)).as(message.type().toString()).isEqualTo(message);
        }
        assertThat(new Activate("j5", 0).queueTimeout()).isEmpty();
        assertThatThrownBy(() -> new Activate("j5", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolMessagesSurviveARoundTrip() throws Exception {
        LaunchRequest queued = LaunchRequest.builder("j9", "Python").socketPath("/run/j9.sock").secret(SECRET)
                .user("bob").pool("etl").queueTimeout(Duration.ofMillis(1500)).build();
        List<ControlMessage> messages = List.of(
                new Pools(List.of(PoolDefinition.defaultPool(), new PoolDefinition("etl team", 50, 10, 4))),
                new PoolsApplied("cgroup v2 (memory, cpu, pids) at /sys/fs/cgroup/extensa",
                        List.of(new PoolsApplied.AppliedPool("default", 1L << 30),
                                new PoolsApplied.AppliedPool("etl team", 0))),
                new Exited("j9", -1, 9, ExitReason.OOM, "", 256L << 20),
                queued,
                new LaunchpadStatus(1, "v", List.of(), List.of(), "unprivileged, no sandbox",
                        List.of(new LaunchpadStatus.PoolInfo("etl", 50, 10, 4, 3, 7, 1L << 28)), "cgroup v1 (memory)"));
        for (ControlMessage message : messages) {
            assertThat(roundTrip(message)).as(message.type().toString()).isEqualTo(message);
        }
        assertThat(((LaunchRequest) roundTrip(queued)).queueTimeout()).contains(Duration.ofMillis(1500));
    }

    @Test
    void poolDefinitionsAreValidated() throws Exception {
        assertThatThrownBy(() -> new PoolDefinition("a/b", 50, 10, 1)).hasMessageContaining("without NUL or '/'");
        assertThatThrownBy(() -> new PoolDefinition("p", 0, 10, 1)).hasMessage("MAX_CPU_PERCENT must be between 1 and 100, not 0");
        assertThatThrownBy(() -> new PoolDefinition("p", 10, 101, 1)).hasMessage("MAX_MEMORY_PERCENT must be between 1 and 100, not 101");
        assertThatThrownBy(() -> new PoolDefinition("p", 10, 10, -1)).hasMessageContaining("MAX_PROCESSES");
        assertThatThrownBy(() -> new Pools(List.of(new PoolDefinition("p", 1, 1, 1), new PoolDefinition("p", 2, 2, 2))))
                .hasMessage("pool 'p' is given twice");
        assertThat(new Pools(List.of(new PoolDefinition("p", 1, 1, 1))).withDefault())
                .containsExactly(PoolDefinition.defaultPool(), new PoolDefinition("p", 1, 1, 1));
        assertThatThrownBy(() -> decode(MessageType.POOLS, new PayloadBuilder().beginStruct(1).text(1, "p")
                .int64(2, 500).int64(3, 10).int64(4, 1).endStruct()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("MAX_CPU_PERCENT must be between 1 and 100");
    }

    @Test
    void launchDefaultsApplyWhenOptionalFieldsAreAbsent() throws Exception {
        LaunchRequest request = (LaunchRequest) decode(MessageType.LAUNCH, new PayloadBuilder()
                .text(1, "j1").text(2, "Python").text(3, "/run/j1.sock").bytes(4, SECRET).text(5, "bob"));
        assertThat(request.pool()).isEqualTo("default");
        assertThat(request.database()).isEmpty();
        assertThat(request.sessionId()).isZero();
        assertThat(request.environment()).isEmpty();
        assertThat(request.timeout()).isEmpty();
    }

    @Test
    void cancelJobHasThisExactByteLayout() throws Exception {
        ByteBuffer expected = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x53545845).put((byte) 1).put((byte) 0x43).putShort((short) 0).putInt(16).putInt(0)
                .putShort((short) 1).put((byte) 4).put((byte) 0).putInt(3).put("j-7".getBytes()).put((byte) 0)
                .put(new byte[4]);
        assertThat(bytesOf(new CancelJob("j-7"))).isEqualTo(expected.array());
    }

    @Test
    void theEnvironmentKeepsItsOrder() throws Exception {
        LaunchRequest request = (LaunchRequest) roundTrip(fullRequest());
        assertThat(request.environment().keySet()).containsExactly("OMP_NUM_THREADS", "GREETING");
    }

    @Test
    void theSecretNeverShowsInToString() {
        assertThat(fullRequest().toString()).doesNotContain("000102").contains("job_42-a").doesNotContain("grüß");
        assertThat(new ForkRequest("j1", "/s", SECRET, "/w", Map.of("K", "secret value"), "").toString())
                .doesNotContain("000102").doesNotContain("secret value");
    }

    @Test
    void requestsAreValidated() {
        assertThatThrownBy(() -> LaunchRequest.builder("../etc", "Python").socketPath("/s").secret(SECRET).user("u").build())
                .hasMessageContaining("invalid job id");
        assertThatThrownBy(() -> LaunchRequest.builder("x".repeat(65), "Python").socketPath("/s").secret(SECRET).user("u")
                .build()).hasMessageContaining("invalid job id");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("relative.sock").secret(SECRET).user("u")
                .build()).hasMessageContaining("absolute");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/" + "s".repeat(107)).secret(SECRET)
                .user("u").build()).hasMessageContaining("at most 107");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/s").secret(new byte[31]).user("u")
                .build()).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/s").secret(SECRET).user("")
                .build()).hasMessageContaining("user");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/s").secret(SECRET).user("u")
                .env("BAD=NAME", "x").build()).hasMessageContaining("invalid environment variable name");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/s").secret(SECRET).user("u")
                .env("OK", "nul\0byte").build()).hasMessageContaining("NUL");
        assertThatThrownBy(() -> LaunchRequest.builder("j", "Python").socketPath("/s").secret(SECRET).user("u")
                .timeout(Duration.ofMillis(-1)).build()).hasMessageContaining("negative");
        assertThat(LaunchRequest.isValidJobId("Abc_09-x")).isTrue();
        assertThat(LaunchRequest.isValidJobId("a.b")).isFalse();
        assertThat(LaunchRequest.isValidJobId("")).isFalse();
    }

    @Test
    void malformedPayloadsAreProtocolErrors() {
        assertThatThrownBy(() -> decode(MessageType.LAUNCH, new PayloadBuilder().text(1, "j1")))
                .isInstanceOf(ProtocolException.class).hasMessage("LAUNCH: required field 2 language is missing");
        assertThatThrownBy(() -> decode(MessageType.LAUNCH, new PayloadBuilder().int64(1, 5)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("field 1 should be TEXT but is INT");
        assertThatThrownBy(() -> decode(MessageType.EXITED, new PayloadBuilder().text(1, "j").int64(2, 0)
                .text(4, "vanished"))).hasMessage("EXITED: unknown reason 'vanished'");
        assertThatThrownBy(() -> decode(MessageType.EXITED, new PayloadBuilder().text(1, "j").int64(2, 1L << 40)
                .text(4, "exited"))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> decode(MessageType.LAUNCH, new PayloadBuilder().text(1, "j").text(2, "P")
                .text(3, "/s").bytes(4, SECRET).text(5, "u")
                .beginStruct(9).text(1, "A").text(2, "1").endStruct()
                .beginStruct(9).text(1, "A").text(2, "2").endStruct()))
                .hasMessageContaining("environment variable A given twice");
        assertThatThrownBy(() -> decode(MessageType.LAUNCH, new PayloadBuilder().text(1, "j").text(2, "P")
                .text(3, "/s").bytes(4, SECRET).text(5, "u").beginStruct(9).text(1, "A").endStruct()))
                .hasMessageContaining("required field value is missing");
        assertThatThrownBy(() -> decode(MessageType.CANCEL_JOB, new PayloadBuilder().text(1, "j").critical().int64(9, 1)))
                .hasMessageContaining("unknown critical field 9");
        assertThatThrownBy(() -> decode(MessageType.INPUT_BATCH, new PayloadBuilder()))
                .hasMessageContaining("not a launch-control or fork-server message");
    }

    @Test
    void unknownNonCriticalFieldsAreSkipped() throws Exception {
        ControlMessage message = decode(MessageType.CANCEL_JOB, new PayloadBuilder().int64(50, 1).text(1, "j9")
                .text(51, "from a newer engine"));
        assertThat(message).isEqualTo(new CancelJob("j9"));
    }
}
