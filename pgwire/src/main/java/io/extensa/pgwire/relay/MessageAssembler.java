package io.extensa.pgwire.relay;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reassembles backend messages from the chunks handed to the worker. A returned body is a view
 * into the assembler's array and stays valid only until the next call.
 */
final class MessageAssembler {

    record Message(char type, ByteBuffer body) {
        int length() {
            return body.remaining();
        }
    }

    /** Room a direct read gets at least: a COPY's rows arrive in 8 KB writes, several per read. */
    private static final int MIN_READ_ROOM = 64 * 1024;

    private byte[] data = new byte[64 * 1024];
    private int start;
    private int end;

    void add(byte[] chunk) {
        ensureRoom(chunk.length);
        System.arraycopy(chunk, 0, data, end, chunk.length);
        end += chunk.length;
    }

    /** Reads what the transport has (blocking until something) after the bytes held; -1 at its end. */
    int readFrom(Transport transport) throws java.io.IOException {
        ensureRoom(MIN_READ_ROOM);
        int n = transport.read(ByteBuffer.wrap(data, end, data.length - end));
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** At least {@code bytes} free after the held bytes: moves them to the front, or grows the array. */
    private void ensureRoom(int bytes) {
        if (end + bytes <= data.length) {
            return;
        }
        int live = end - start;
        if (live + bytes > data.length) {
            data = Arrays.copyOfRange(data, start, start + Math.max(data.length * 2, live + bytes));
        } else {
            System.arraycopy(data, start, data, 0, live);
        }
        start = 0;
        end = live;
    }

    /** The next complete message, or null when more bytes are needed. */
    Message poll() {
        if (end - start < 5) {
            return null;
        }
        int length = ((data[start + 1] & 0xFF) << 24) | ((data[start + 2] & 0xFF) << 16)
                | ((data[start + 3] & 0xFF) << 8) | (data[start + 4] & 0xFF);
        if (length < 4) {
            throw new IllegalStateException("backend sent a message of length " + length);
        }
        if (end - start < length + 1) {
            return null;
        }
        Message m = new Message((char) (data[start] & 0xFF), ByteBuffer.wrap(data, start + 5, length - 4).slice());
        start += length + 1;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return m;
    }

    /**
     * Hands the payload of every complete CopyData message at the front to the handler, through one
     * reused view (the handler must not keep it), and stops at the first other or incomplete message.
     * A binary COPY of a million rows is a million CopyData messages: they cost no allocation here.
     */
    void drainCopyData(io.extensa.pgwire.intercept.CopyDataHandler handler) throws io.extensa.pgwire.PgException {
        while (end - start >= 5 && data[start] == 'd') {
            int length = ((data[start + 1] & 0xFF) << 24) | ((data[start + 2] & 0xFF) << 16)
                    | ((data[start + 3] & 0xFF) << 8) | (data[start + 4] & 0xFF);
            if (length < 4 || end - start < length + 1) {
                return;
            }
            if (view == null || view.array() != data) {
                view = ByteBuffer.wrap(data);
            }
            view.limit(start + 1 + length).position(start + 5);
            start += length + 1;
            handler.data(view);
        }
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    private ByteBuffer view;

    boolean hasPartial() {
        return end > start;
    }

    /** Whole-message bytes (header included) of a message just returned by {@link #poll()}. */
    static ByteBuffer wire(Message m) {
        ByteBuffer b = ByteBuffer.allocate(5 + m.length());
        b.put((byte) m.type()).putInt(4 + m.length()).put(m.body().duplicate());
        return b.flip();
    }
}
