package io.extensa.launchpad.warm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;

/**
 * A {@link GatheringByteChannel} over a process's stdin stream, so the shared frame writer can
 * write to a fork server. Each gathering write ends with a flush: one frame, one flush.
 */
final class OutputStreamChannel implements GatheringByteChannel {

    private final OutputStream out;
    private volatile boolean open = true;

    OutputStreamChannel(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += copy(sources[i]);
        }
        out.flush();
        return total;
    }

    @Override
    public long write(ByteBuffer[] sources) throws IOException {
        return write(sources, 0, sources.length);
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        return (int) write(new ByteBuffer[] {source}, 0, 1);
    }

    private int copy(ByteBuffer source) throws IOException {
        int n = source.remaining();
        if (source.hasArray()) {
            out.write(source.array(), source.arrayOffset() + source.position(), n);
            source.position(source.limit());
        } else {
            byte[] bytes = new byte[n];
            source.get(bytes);
            out.write(bytes);
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        out.close();
    }
}
