package io.extensa.runtime.python;

import io.extensa.protocol.batch.ArrayColumnBuilder;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ChildExited;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Fork;
import io.extensa.protocol.message.Forked;
import io.extensa.protocol.message.Hello;
import io.extensa.protocol.message.InputBatch;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.message.OutputBatch;
import io.extensa.protocol.message.OutputEnd;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.OutputSchema;
import io.extensa.protocol.message.Param;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.Stdout;
import io.extensa.protocol.message.Welcome;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.spi.SatelliteCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's side of the protocol in Java against a real Python satellite: every column type
 * crosses both codecs, as do parameters, errors and the fork-server channel.
 */
class SatelliteInteropTest {

    private static final byte[] SECRET = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Connection(SocketChannel channel, FrameReader reader, FrameWriter writer, Hello hello) {
        Message receive() throws IOException {
            Frame frame = reader.read();
            return frame == null ? null : Messages.decode(frame);
        }

        void send(Message message) throws IOException {
            Messages.write(writer, message);
        }
    }

    private ServerSocketChannel listen(String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        closeables.add(server);
        return server;
    }

    private Connection accept(ServerSocketChannel server) throws IOException {
        SocketChannel channel = server.accept();
        closeables.add(channel);
        FrameReader reader = new FrameReader(channel, FrameHeader.DEFAULT_MAX_PAYLOAD);
        FrameWriter writer = new FrameWriter(channel, FrameHeader.DEFAULT_MAX_PAYLOAD);
        Hello hello = (Hello) Messages.decode(reader.read());
        assertThat(hello.secret()).isEqualTo(SECRET);
        Messages.write(writer, new Welcome(FrameHeader.DEFAULT_MAX_PAYLOAD));
        return new Connection(channel, reader, writer, hello);
    }

    private Process startCold(Path socket) throws IOException {
        SatelliteCommand command = new PythonRuntime().satelliteCommand(
                new TestRuntimeContext(dir.resolve("home"), Map.of()));
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("satellite.out").toFile())
                .redirectError(dir.resolve("satellite.err").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("EXTENSA_JOB_SOCKET", socket.toString());
        builder.environment().put("EXTENSA_JOB_ID", "job-java");
        builder.environment().put("EXTENSA_JOB_SECRET", HexFormat.of().formatHex(SECRET));
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static ColumnVector one(ColumnType type, long value) {
        ColumnBuilder b = ColumnBuilder.create(type);
        if (type == ColumnType.INT32) {
            b.appendInt((int) value);
        } else {
            b.appendNull();
        }
        return b.build();
    }

    @Test
    void everyColumnTypeCrossesBothCodecs() throws Exception {
        ServerSocketChannel server = listen("job.sock");
        Process process = startCold(dir.resolve("job.sock"));
        Connection c = accept(server);
        assertThat(c.hello().runtime()).isEqualTo("python");
        assertThat(c.hello().jobId()).isEqualTo("job-java");

        List<ColumnSpec> schema = new ArrayList<>();
        List<ColumnBuilder> builders = new ArrayList<>();
        for (ColumnType type : ColumnType.values()) {
            if (type == ColumnType.ARRAY) {
                schema.add(new ColumnSpec("c_array", type, "integer[]", ColumnType.INT32));
                builders.add(ColumnBuilder.forArray(ColumnType.INT32));
            } else {
                schema.add(ColumnSpec.of("c_" + type.name().toLowerCase(), type, null));
                builders.add(ColumnBuilder.create(type));
            }
        }
        BatchBuilder batch = new BatchBuilder(builders);
        UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        int i = 0;
        batch.column(i++).appendBoolean(true);
        batch.column(i++).appendShort(Short.MIN_VALUE);
        batch.column(i++).appendInt(Integer.MAX_VALUE);
        batch.column(i++).appendLong(Long.MIN_VALUE);
        batch.column(i++).appendFloat(Float.NaN);
        batch.column(i++).appendDouble(Double.NEGATIVE_INFINITY);
        batch.column(i++).appendUtf8("-12.500");
        batch.column(i++).appendUtf8("\u65e5\u672c \ud83c\udf89");
        batch.column(i++).appendBytes(new byte[] {0, 1, 2});
        batch.column(i++).appendInt(19000);
        batch.column(i++).appendLong(1700000000123456L);
        batch.column(i++).appendLong(-1);
        batch.column(i++).appendLong(43200000001L);
        batch.column(i++).appendInterval(3600000000L, 2, 0);
        batch.column(i++).appendUuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
        batch.column(i++).appendUtf8("{\"a\": null}");
        ArrayColumnBuilder array = batch.arrayColumn(i);
        array.child().appendInt(1);
        array.child().appendNull();
        array.child().appendInt(3);
        array.child().appendInt(4);
        array.endArray(2, 2);
        batch.endRow();
        for (int c2 = 0; c2 < builders.size(); c2++) {
            batch.column(c2).appendNull();
        }
        batch.endRow();

        String script = """
                print('rows', len(InputDataSet), p_int)
                OutputDataSet = InputDataSet
                doubled = p_int * 2
                """;
        c.send(new SessionInit(script, "InputDataSet", "OutputDataSet", schema,
                List.of(new Param("p_int", ColumnType.INT32, "integer", false, one(ColumnType.INT32, 21)),
                        new Param("doubled", ColumnType.INT64, "bigint", true, one(ColumnType.INT64, 0))),
                true, null));
        c.send(new InputBatch(batch.build()));
        c.send(new EndOfInput(true, 0));

        assertThat(c.receive()).isEqualTo(new Stdout("rows 2 21"));
        OutputSchema outSchema = (OutputSchema) c.receive();
        List<ColumnType> outTypes = outSchema.columns().stream().map(ColumnSpec::type).toList();
        assertThat(outTypes).containsExactly(ColumnType.BOOL, ColumnType.INT16, ColumnType.INT32, ColumnType.INT64,
                ColumnType.FLOAT32, ColumnType.FLOAT64, ColumnType.DECIMAL, ColumnType.TEXT, ColumnType.BYTES,
                // dates become datetime64 in pandas, UUID and JSON become str: documented in docs/types.md
                ColumnType.TIMESTAMP, ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TIME,
                ColumnType.INTERVAL, ColumnType.TEXT, ColumnType.TEXT, ColumnType.ARRAY);
        assertThat(outSchema.columns().get(16).elementType()).isEqualTo(ColumnType.INT64);
        assertThat(outSchema.columns().get(16).pgType()).isEqualTo("bigint[]");
        Batch out = ((OutputBatch) c.receive()).batch();
        assertThat(out.rowCount()).isEqualTo(2);
        for (ColumnVector column : out.columns()) {
            assertThat(column.isNull(1)).as(column.toString()).isTrue();
            assertThat(column.isNull(0)).as(column.toString()).isFalse();
        }
        i = 0;
        assertThat(out.column(i++).getBoolean(0)).isTrue();
        assertThat(out.column(i++).getShort(0)).isEqualTo(Short.MIN_VALUE);
        assertThat(out.column(i++).getInt(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(out.column(i++).getLong(0)).isEqualTo(Long.MIN_VALUE);
        assertThat(out.column(i++).getFloat(0)).isNaN();
        assertThat(out.column(i++).getDouble(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("-12.500");
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("\u65e5\u672c \ud83c\udf89");
        assertThat(out.column(i++).getBytes(0)).containsExactly(0, 1, 2);
        assertThat(out.column(i++).getLong(0)).isEqualTo(19000L * 86_400_000_000L);
        assertThat(out.column(i++).getLong(0)).isEqualTo(1700000000123456L);
        assertThat(out.column(i++).getLong(0)).isEqualTo(-1L);
        assertThat(out.column(i++).getLong(0)).isEqualTo(43200000001L);
        ColumnVector interval = out.column(i++);
        assertThat(interval.getIntervalMicros(0)).isEqualTo(3600000000L);
        assertThat(interval.getIntervalDays(0)).isEqualTo(2);
        assertThat(interval.getIntervalMonths(0)).isZero();
        assertThat(out.column(i++).getUtf8(0)).isEqualTo(uuid.toString());
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("{\"a\": null}");
        ColumnVector arrays = out.column(i);
        assertThat(arrays.dimensions(0)).containsExactly(2, 2);
        assertThat(arrays.child().getLong(0)).isEqualTo(1);
        assertThat(arrays.child().isNull(1)).isTrue();
        assertThat(arrays.child().getLong(3)).isEqualTo(4);

        assertThat(c.receive()).isEqualTo(new OutputEnd(0, 2));
        OutputParams params = (OutputParams) c.receive();
        assertThat(params.params()).hasSize(1);
        assertThat(params.params().get(0).name()).isEqualTo("doubled");
        assertThat(params.params().get(0).value().getLong(0)).isEqualTo(42);
        assertThat(c.receive()).isEqualTo(new End());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void scriptErrorsArriveWithTheirTraceback() throws Exception {
        ServerSocketChannel server = listen("job.sock");
        Process process = startCold(dir.resolve("job.sock"));
        Connection c = accept(server);
        c.send(new SessionInit("x = 1\nraise ValueError('bad value')\n", "InputDataSet", "OutputDataSet",
                List.of(), List.of(), false, null));
        c.send(new EndOfInput(true, 0));
        ErrorMessage error = (ErrorMessage) c.receive();
        assertThat(error.kind()).isEqualTo("script");
        assertThat(error.exception()).isEqualTo("ValueError");
        assertThat(error.message()).isEqualTo("bad value");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.traceback()).contains("  File \"<script>\", line 2, in <module>");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
    }

    @Test
    void forkServerForksSatellitesThatRunSessions() throws Exception {
        SatelliteCommand command = new PythonRuntime().forkServerCommand(
                new TestRuntimeContext(dir.resolve("home"), Map.of())).orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectError(dir.resolve("forkserver.err").toFile());
        Process forkServer = builder.start();
        processes.add(forkServer);
        FrameReader fromServer = new FrameReader(Channels.newChannel(forkServer.getInputStream()),
                FrameHeader.DEFAULT_MAX_PAYLOAD);
        FrameWriter toServer = new FrameWriter(gathering(forkServer.getOutputStream()), FrameHeader.DEFAULT_MAX_PAYLOAD);
        Hello hello = (Hello) Messages.decode(fromServer.read());
        assertThat(hello.isSatellite()).isFalse();
        assertThat(hello.pid()).isEqualTo(forkServer.pid());

        ServerSocketChannel server = listen("fork.sock");
        Path work = java.nio.file.Files.createDirectories(dir.resolve("work"));
        Messages.write(toServer, new Fork("job-f", dir.resolve("fork.sock").toString(), SECRET, work.toString(),
                Map.of("PATH", "/usr/bin:/bin")));
        Forked forked = (Forked) Messages.decode(fromServer.read());
        assertThat(forked.jobId()).isEqualTo("job-f");
        Connection c = accept(server);
        assertThat(c.hello().pid()).isEqualTo(forked.pid());
        c.send(new SessionInit("import os\nprint(os.getcwd())", "InputDataSet", "OutputDataSet", List.of(),
                List.of(), false, null));
        c.send(new EndOfInput(true, 0));
        assertThat(c.receive()).isEqualTo(new Stdout(work.toRealPath().toString()));
        Message next;
        do {
            next = c.receive();
        } while (!(next instanceof End));
        ChildExited exited = (ChildExited) Messages.decode(fromServer.read());
        assertThat(exited).isEqualTo(new ChildExited("job-f", forked.pid(), 0, 0));
        forkServer.getOutputStream().close();
        assertThat(forkServer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(forkServer.exitValue()).isZero();
    }

    private static GatheringByteChannel gathering(OutputStream stream) {
        WritableByteChannel channel = Channels.newChannel(stream);
        return new GatheringByteChannel() {
            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                long n = 0;
                for (int k = offset; k < offset + length; k++) {
                    while (srcs[k].hasRemaining()) {
                        n += channel.write(srcs[k]);
                    }
                }
                stream.flush();
                return n;
            }

            @Override
            public long write(ByteBuffer[] srcs) throws IOException {
                return write(srcs, 0, srcs.length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return (int) write(new ByteBuffer[] {src});
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
