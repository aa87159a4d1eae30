package io.extensa.protocol.launch;

import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.ProtocolException;

import java.io.IOException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;

/**
 * Typed messages over one pair of byte channels (a control connection, or a fork server's stdout
 * and stdin). Sending is thread-safe; receiving belongs to one reader thread.
 */
public final class ControlStream {

    /** The largest payload either side accepts on the control and fork-server channels. */
    public static final long MAX_PAYLOAD = 1 << 20;

    private final FrameReader reader;
    private final FrameWriter writer;

    public ControlStream(ReadableByteChannel in, GatheringByteChannel out) {
        this.reader = new FrameReader(in, MAX_PAYLOAD);
        this.writer = new FrameWriter(out, MAX_PAYLOAD);
    }

    public static ControlStream over(SocketChannel channel) {
        return new ControlStream(channel, channel);
    }

    public void send(ControlMessage message) throws IOException {
        writer.write(message.type(), message.encode());
    }

    /**
     * The next frame, not yet decoded, or null when the peer closed cleanly between frames.
     * Framing errors (bad magic, oversized length, broken sequence) surface here.
     */
    public Frame receiveFrame() throws IOException {
        return reader.read();
    }

    /** The next message, or null when the peer closed cleanly between frames. */
    public ControlMessage receive() throws IOException {
        Frame frame = reader.read();
        return frame == null ? null : decode(frame);
    }

    /** Field-level errors (missing or ill-typed fields, invalid values) surface here. */
    public static ControlMessage decode(Frame frame) throws ProtocolException {
        return ControlMessage.decode(frame);
    }
}
