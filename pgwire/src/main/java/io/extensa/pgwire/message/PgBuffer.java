package io.extensa.pgwire.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for composing protocol messages. {@link #begin(char)} and
 * {@link #end()} frame one message (type byte, int32 length that includes itself, body), so
 * encoders never compute lengths by hand.
 */
public final class PgBuffer {

    private byte[] bytes;
    private int size;
    private int messageStart = -1;
    private int messageBegin = -1;

    public PgBuffer() {
        this(256);
    }

    public PgBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    /** Starts a message with this type byte; its length is filled in by {@link #end()}. */
    public PgBuffer begin(char type) {
        if (messageStart >= 0) {
            throw new IllegalStateException("message already open");
        }
        ensure(5);
        messageBegin = size;
        bytes[size++] = (byte) type;
        messageStart = size;
        size += 4;
        return this;
    }

    /** Starts a message without a type byte (startup packets, CancelRequest). */
    public PgBuffer beginUntyped() {
        if (messageStart >= 0) {
            throw new IllegalStateException("message already open");
        }
        ensure(4);
        messageBegin = size;
        messageStart = size;
        size += 4;
        return this;
    }

    /** Drops a message that was begun but will not be finished (e.g. a row whose value failed to encode). */
    public void abandonMessage() {
        if (messageStart >= 0) {
            size = messageBegin;
            messageStart = -1;
            messageBegin = -1;
        }
    }

    public PgBuffer end() {
        if (messageStart < 0) {
            throw new IllegalStateException("no open message");
        }
        putIntAt(messageStart, size - messageStart);
        messageStart = -1;
        messageBegin = -1;
        return this;
    }

    public PgBuffer put(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
        return this;
    }

    public PgBuffer putShort(int v) {
        ensure(2);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
        return this;
    }

    public PgBuffer putInt(int v) {
        ensure(4);
        putIntAt(size, v);
        size += 4;
        return this;
    }

    public PgBuffer putLong(long v) {
        putInt((int) (v >>> 32));
        return putInt((int) v);
    }

    public PgBuffer put(byte[] src) {
        return put(src, 0, src.length);
    }

    public PgBuffer put(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, bytes, size, length);
        size += length;
        return this;
    }

    public PgBuffer put(ByteBuffer src) {
        int n = src.remaining();
        ensure(n);
        src.duplicate().get(bytes, size, n);
        size += n;
        return this;
    }

    /** A NUL-terminated UTF-8 string, PostgreSQL's "String" type. */
    public PgBuffer putCString(String s) {
        put(s.getBytes(StandardCharsets.UTF_8));
        return put(0);
    }

    /** Reserves {@code n} bytes and returns the offset where they start, for in-place encoding. */
    public int reserve(int n) {
        ensure(n);
        int at = size;
        size += n;
        return at;
    }

    public void putIntAt(int offset, int v) {
        bytes[offset] = (byte) (v >>> 24);
        bytes[offset + 1] = (byte) (v >>> 16);
        bytes[offset + 2] = (byte) (v >>> 8);
        bytes[offset + 3] = (byte) v;
    }

    public byte[] array() {
        return bytes;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean hasOpenMessage() {
        return messageStart >= 0;
    }

    public void clear() {
        size = 0;
        messageStart = -1;
        messageBegin = -1;
    }

    /** Drops the first {@code n} bytes (already written out), keeping the rest. */
    public void discard(int n) {
        if (messageStart >= 0) {
            throw new IllegalStateException("cannot discard with an open message");
        }
        System.arraycopy(bytes, n, bytes, 0, size - n);
        size -= n;
    }

    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        int needed = size + more;
        if (needed > bytes.length) {
            long grown = Math.max((long) bytes.length * 2, needed);
            if (grown > Integer.MAX_VALUE - 16) {
                grown = Integer.MAX_VALUE - 16;
                if (needed > grown) {
                    throw new IllegalStateException("message too large: " + needed + " bytes");
                }
            }
            bytes = Arrays.copyOf(bytes, (int) grown);
        }
    }
}
