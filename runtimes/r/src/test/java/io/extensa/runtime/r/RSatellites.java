package io.extensa.runtime.r;

import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Hello;
import io.extensa.protocol.message.InputBatch;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.message.Param;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.Welcome;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.spi.SatelliteCommand;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's side of a session in Java, with the protocol module's codec (the engine's own),
 * against real R satellites started as the launchpad starts them. Owns every process, socket
 * and channel it opens; close() ends them.
 */
final class RSatellites implements AutoCloseable {

    static final byte[] SECRET = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    static final String JOB_ID = "job-r";

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    RSatellites(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    RRuntime runtime() {
        return new RRuntime();
    }

    TestRuntimeContext context() {
        return new TestRuntimeContext(dir.resolve("home"), Map.of());
    }

    record Connection(SocketChannel channel, FrameReader reader, FrameWriter writer, Hello hello) {
        Message receive() throws IOException {
            Frame frame = reader.read();
            return frame == null ? null : Messages.decode(frame);
        }

        void send(Message message) throws IOException {
            Messages.write(writer, message);
        }

        /** Messages until END or ERROR, or the end of the stream. */
        List<Message> collect() throws IOException {
            List<Message> out = new ArrayList<>();
            while (true) {
                Message m = receive();
                if (m == null) {
                    return out;
                }
                out.add(m);
                if (m instanceof End || m instanceof ErrorMessage) {
                    return out;
                }
            }
        }

        /** Sends a whole single-unit job. */
        void run(String script, List<ColumnSpec> schema, List<Param> params, Batch... batches) throws IOException {
            send(new SessionInit(script, "InputDataSet", "OutputDataSet", schema, params, !schema.isEmpty(), null));
            for (Batch batch : batches) {
                send(new InputBatch(batch));
            }
            send(new EndOfInput(true, 0));
        }
    }

    ServerSocketChannel listen(String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        closeables.add(server);
        return server;
    }

    Connection accept(ServerSocketChannel server) throws IOException {
        SocketChannel channel = server.accept();
        closeables.add(channel);
        FrameReader reader = new FrameReader(channel, FrameHeader.DEFAULT_MAX_PAYLOAD);
        FrameWriter writer = new FrameWriter(channel, FrameHeader.DEFAULT_MAX_PAYLOAD);
        Hello hello = (Hello) Messages.decode(reader.read());
        assertThat(hello.secret()).isEqualTo(SECRET);
        Messages.write(writer, new Welcome(FrameHeader.DEFAULT_MAX_PAYLOAD));
        return new Connection(channel, reader, writer, hello);
    }

    /** A cold satellite, as the launchpad starts one: its command, a clean environment, the job variables. */
    Process startCold(Path socket) throws IOException {
        SatelliteCommand command = runtime().satelliteCommand(context());
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("satellite.out").toFile())
                .redirectError(dir.resolve("satellite.err").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("TMPDIR", dir.toString());
        builder.environment().put("EXTENSA_JOB_SOCKET", socket.toString());
        builder.environment().put("EXTENSA_JOB_ID", JOB_ID);
        builder.environment().put("EXTENSA_JOB_SECRET", HexFormat.of().formatHex(SECRET));
        builder.environment().putAll(command.environment());
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** A cold satellite connected and greeted. */
    Job cold() throws IOException {
        ServerSocketChannel server = listen("job.sock");
        Process process = startCold(dir.resolve("job.sock"));
        return new Job(process, accept(server));
    }

    record Job(Process process, Connection connection) {
        int exitCode() throws InterruptedException {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the satellite exits").isTrue();
            return process.exitValue();
        }
    }

    Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
