package io.extensa.protocol.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;

/**
 * Writes frames to a blocking channel with one gathering write per frame where the channel
 * allows it. Thread-safe: output from several threads (e.g. stdout forwarding and the main
 * result stream) is serialized frame by frame.
 */
public final class FrameWriter {

    private final GatheringByteChannel channel;
    private volatile long maxPayload;
    private final ByteBuffer header = ByteBuffer.allocate(FrameHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private int sequence;

    public FrameWriter(GatheringByteChannel channel, long maxPayload) {
        this.channel = channel;
        this.maxPayload = maxPayload;
    }

    /** Lowers or raises the largest payload this writer sends, e.g. to the peer's stated maximum. */
    public void maxPayload(long maxPayload) {
        this.maxPayload = maxPayload;
    }

    public void write(MessageType type) throws IOException {
        write(type, new PayloadBuilder());
    }

    public synchronized void write(MessageType type, PayloadBuilder payload) throws IOException {
        long length = payload.length();
        if (length > maxPayload) {
            throw new ProtocolException(type + " frame of " + length + " bytes exceeds the maximum of " + maxPayload);
        }
        header.clear();
        FrameHeader.write(header, type, (int) length, sequence++);
        header.flip();
        ByteBuffer[] body = payload.buffers();
        ByteBuffer[] all = new ByteBuffer[body.length + 1];
        all[0] = header;
        System.arraycopy(body, 0, all, 1, body.length);
        long remaining = FrameHeader.SIZE + length;
        while (remaining > 0) {
            long n = channel.write(all);
            remaining -= n;
        }
    }
}
