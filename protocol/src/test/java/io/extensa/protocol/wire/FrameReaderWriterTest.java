package io.extensa.protocol.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameReaderWriterTest {

    private static final long MAX = FrameHeader.DEFAULT_MAX_PAYLOAD;

    @Test
    void framesRoundTripWithSequenceNumbers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(Channels2.writing(out), MAX);
        writer.write(MessageType.HELLO, new PayloadBuilder().text(1, "job").int64(5, 7));
        writer.write(MessageType.CANCEL);
        writer.write(MessageType.HEARTBEAT, new PayloadBuilder().int64(1, 99));

        FrameReader reader = new FrameReader(Channels2.trickling(out.toByteArray(), 3), MAX);
        Frame hello = reader.read();
        assertThat(hello.type()).isEqualTo(MessageType.HELLO);
        assertThat(hello.sequence()).isZero();
        FieldCursor fields = hello.fields();
        assertThat(fields.next()).isTrue();
        assertThat(fields.asText()).isEqualTo("job");
        assertThat(fields.next()).isTrue();
        assertThat(fields.asInt()).isEqualTo(7);
        assertThat(fields.next()).isFalse();
        Frame cancel = reader.read();
        assertThat(cancel.type()).isEqualTo(MessageType.CANCEL);
        assertThat(cancel.payload().remaining()).isZero();
        assertThat(reader.read().sequence()).isEqualTo(2);
        assertThat(reader.read()).as("clean end between frames").isNull();
    }

    @Test
    void headerLayoutIsLittleEndian() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(Channels2.writing(out), MAX).write(MessageType.WELCOME, new PayloadBuilder().int64(1, 1));
        byte[] bytes = out.toByteArray();
        assertThat(Arrays.copyOf(bytes, 16)).containsExactly('E', 'X', 'T', 'S', 1, 0x02, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void rejectsBadMagicVersionLengthAndType() {
        assertThatThrownBy(() -> read(header(0x12345678, 1, 0x31, 0, 0))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> read(header(FrameHeader.MAGIC, 9, 0x31, 0, 0))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> read(header(FrameHeader.MAGIC, 1, 0x31, 12, 0))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> read(header(FrameHeader.MAGIC, 1, 0x31, 0xFFFFFFF8, 0)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("4294967288");
        assertThatThrownBy(() -> read(header(FrameHeader.MAGIC, 1, 0x7E, 0, 0))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("0x7e");
    }

    @Test
    void rejectsSequenceGaps() {
        byte[] two = concat(header(FrameHeader.MAGIC, 1, 0x31, 0, 0), header(FrameHeader.MAGIC, 1, 0x31, 0, 2));
        assertThatThrownBy(() -> read(two)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("sequence 2 where 1");
    }

    @Test
    void endOfStreamInsideAFrameIsAnError() {
        byte[] frame = concat(header(FrameHeader.MAGIC, 1, 0x32, 16, 0), new byte[8]);
        assertThatThrownBy(() -> read(frame)).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> read(Arrays.copyOf(header(FrameHeader.MAGIC, 1, 0x31, 0, 0), 5)))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void lengthLimitAppliesBeforeAllocation() throws IOException {
        FrameReader reader = new FrameReader(Channels2.reading(header(FrameHeader.MAGIC, 1, 0x11, 1 << 20, 0)), 1024);
        assertThatThrownBy(reader::read).isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds");
        FrameReader raised = new FrameReader(Channels2.reading(concat(header(FrameHeader.MAGIC, 1, 0x11, 2048, 0),
                new byte[2048])), 1024);
        raised.maxPayload(4096);
        assertThat(raised.read().payload().remaining()).isEqualTo(2048);
    }

    @Test
    void writerRefusesPayloadsOverItsLimit() {
        FrameWriter writer = new FrameWriter(Channels2.writing(new ByteArrayOutputStream()), 64);
        PayloadBuilder big = new PayloadBuilder().bytes(1, new byte[100]);
        assertThatThrownBy(() -> writer.write(MessageType.STDOUT, big)).isInstanceOf(ProtocolException.class);
        writer.maxPayload(1024);
        assertThat(catchWrite(writer, big)).isNull();
    }

    @Test
    void concurrentWritersNeverInterleaveFrames() throws Exception {
        Pipe pipe = Pipe.open();
        FrameWriter writer = new FrameWriter(pipe.sink(), MAX);
        int threads = 4;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            Future<List<Frame>> reading = pool.submit(() -> {
                FrameReader reader = new FrameReader(pipe.source(), MAX);
                List<Frame> frames = new ArrayList<>();
                for (int i = 0; i < threads * perThread; i++) {
                    frames.add(reader.read());
                }
                return frames;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        // large enough to be referenced rather than copied, so gathering writes matter
                        byte[] body = new byte[700 + i];
                        Arrays.fill(body, (byte) id);
                        writer.write(MessageType.STDOUT, new PayloadBuilder().int64(2, id).bytes(1, body));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
            List<Frame> frames = reading.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < frames.size(); i++) {
                Frame frame = frames.get(i);
                assertThat(frame.sequence()).isEqualTo(i);
                FieldCursor fields = frame.fields();
                fields.next();
                long id = fields.asInt();
                fields.next();
                ByteBuffer body = fields.asBytes();
                while (body.hasRemaining()) {
                    assertThat(body.get()).isEqualTo((byte) id);
                }
            }
        } finally {
            pool.shutdownNow();
            pipe.sink().close();
            pipe.source().close();
        }
    }

    private static Throwable catchWrite(FrameWriter writer, PayloadBuilder payload) {
        try {
            writer.write(MessageType.STDOUT, payload);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static void read(byte[] bytes) throws IOException {
        FrameReader reader = new FrameReader(Channels2.reading(bytes), MAX);
        while (reader.read() != null) {
            // drain
        }
    }

    static byte[] header(int magic, int version, int type, int length, int sequence) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(magic).put((byte) version).put((byte) type).putShort((short) 0).putInt(length).putInt(sequence);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
