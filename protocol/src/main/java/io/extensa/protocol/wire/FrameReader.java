package io.extensa.protocol.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads frames from a blocking channel. The single place where incoming bytes become frames:
 * magic, version, size limit, alignment and sequence are all checked here before any payload is
 * allocated, so a hostile peer announcing a 4 GB frame costs nothing but the closed connection.
 */
public final class FrameReader {

    private final ReadableByteChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(FrameHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private volatile long maxPayload;
    private int expectedSequence;

    public FrameReader(ReadableByteChannel channel, long maxPayload) {
        this.channel = channel;
        this.maxPayload = maxPayload;
    }

    /** Lowers or raises the accepted payload size, e.g. after the handshake negotiated it. */
    public void maxPayload(long maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * @return the next frame, or null when the peer closed the stream cleanly between frames
     * @throws EOFException when the stream ends inside a frame
     * @throws ProtocolException when the bytes are not a valid frame
     */
    public Frame read() throws IOException {
        header.clear();
        if (!fill(header, true)) {
            return null;
        }
        header.flip();
        FrameHeader h = FrameHeader.read(header, maxPayload);
        MessageType type = MessageType.fromCode(h.typeCode());
        if (type == null) {
            throw new ProtocolException(String.format("unknown message type 0x%02x", h.typeCode()));
        }
        if (h.sequence() != expectedSequence) {
            throw new ProtocolException("frame sequence " + h.sequence() + " where " + expectedSequence + " was expected");
        }
        expectedSequence++;
        ByteBuffer payload = ByteBuffer.allocate(h.length()).order(ByteOrder.LITTLE_ENDIAN);
        fill(payload, false);
        payload.flip();
        return new Frame(type, h.sequence(), payload);
    }

    private boolean fill(ByteBuffer buffer, boolean eofAllowedAtStart) throws IOException {
        boolean started = false;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer);
            if (n < 0) {
                if (!started && eofAllowedAtStart) {
                    return false;
                }
                throw new EOFException("stream ended inside a frame");
            }
            started |= n > 0;
        }
        return true;
    }
}
