package io.extensa.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Builds a frame payload of tagged fields. Each field is
 * <pre>
 *  offset size field
 *  0      2    tag      meaning depends on the message (or enclosing struct)
 *  2      1    kind     {@link FieldKind} code
 *  3      1    flags    bit 0: critical (a receiver that does not know the tag must fail)
 *  4      4    length   value bytes, excluding padding
 *  8      n    value
 *  8+n    p    zero padding so the next field starts at a multiple of 8
 * </pre>
 * Large byte values are kept by reference and written with a gathering write, never copied.
 */
public final class PayloadBuilder {

    /** Byte values at least this large are referenced instead of copied into the scratch buffer. */
    private static final int COPY_LIMIT = 512;
    private static final byte[] ZEROS = new byte[8];
    private static final int MAX_SCRATCH = 64 * 1024;

    private final List<ByteBuffer> segments = new ArrayList<>();
    private final Deque<OpenStruct> open = new ArrayDeque<>();
    private ByteBuffer scratch = newScratch(256);
    private long length;
    private boolean nextCritical;

    private record OpenStruct(ByteBuffer headerBuffer, int lengthIndex, long valueStart) {
    }

    /**
     * A payload that was already encoded (e.g. by {@link #toByteBuffer}), to be written later as it is;
     * its length must be a multiple of 8 like every payload's.
     */
    public static PayloadBuilder encoded(ByteBuffer payload) {
        if ((payload.remaining() & 7) != 0) {
            throw new IllegalArgumentException("an encoded payload's length is a multiple of 8, not "
                    + payload.remaining());
        }
        PayloadBuilder b = new PayloadBuilder();
        b.segments.add(payload.slice());
        b.length = payload.remaining();
        return b;
    }

    /** Marks the next field as critical. */
    public PayloadBuilder critical() {
        nextCritical = true;
        return this;
    }

    public PayloadBuilder int64(int tag, long value) {
        header(tag, FieldKind.INT, 8);
        ensure(8).putLong(value);
        length += 8;
        return this;
    }

    public PayloadBuilder float64(int tag, double value) {
        header(tag, FieldKind.FLOAT, 8);
        ensure(8).putDouble(value);
        length += 8;
        return this;
    }

    public PayloadBuilder bool(int tag, boolean value) {
        header(tag, FieldKind.BOOL, 1);
        ensure(1).put((byte) (value ? 1 : 0));
        length += 1;
        pad(1);
        return this;
    }

    public PayloadBuilder text(int tag, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return value(tag, FieldKind.TEXT, ByteBuffer.wrap(utf8));
    }

    public PayloadBuilder bytes(int tag, byte[] value) {
        return value(tag, FieldKind.BYTES, ByteBuffer.wrap(value));
    }

    public PayloadBuilder bytes(int tag, byte[] value, int offset, int length) {
        return value(tag, FieldKind.BYTES, ByteBuffer.wrap(value, offset, length));
    }

    /** Adds the buffer's remaining bytes; large buffers are referenced, so don't change them before writing. */
    public PayloadBuilder bytes(int tag, ByteBuffer value) {
        return value(tag, FieldKind.BYTES, value);
    }

    public PayloadBuilder beginStruct(int tag) {
        header(tag, FieldKind.STRUCT, 0);
        open.push(new OpenStruct(scratch, scratch.position() - 4, length));
        return this;
    }

    public PayloadBuilder endStruct() {
        OpenStruct struct = open.pop();
        long valueLength = length - struct.valueStart();
        if (valueLength > Integer.MAX_VALUE) {
            throw new IllegalStateException("struct value too large: " + valueLength);
        }
        struct.headerBuffer().putInt(struct.lengthIndex(), (int) valueLength);
        return this;
    }

    /** Total payload bytes, a multiple of 8. */
    public long length() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " struct(s) still open");
        }
        return length;
    }

    /** The payload as buffers ready for a gathering write; fresh duplicates on every call. */
    public ByteBuffer[] buffers() {
        length();
        List<ByteBuffer> out = new ArrayList<>(segments.size() + 1);
        for (ByteBuffer segment : segments) {
            out.add(segment.duplicate());
        }
        if (scratch.position() > 0) {
            out.add(scratch.duplicate().flip());
        }
        return out.toArray(ByteBuffer[]::new);
    }

    /** The payload copied into one buffer (tests, small control messages). */
    public ByteBuffer toByteBuffer() {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(length())).order(ByteOrder.LITTLE_ENDIAN);
        for (ByteBuffer b : buffers()) {
            all.put(b);
        }
        return all.flip();
    }

    private PayloadBuilder value(int tag, FieldKind kind, ByteBuffer value) {
        int n = value.remaining();
        header(tag, kind, n);
        if (n >= COPY_LIMIT) {
            flushScratch();
            segments.add(value.slice());
        } else {
            ensure(n).put(value.duplicate());
        }
        length += n;
        pad(n);
        return this;
    }

    private void header(int tag, FieldKind kind, int valueLength) {
        if (tag < 0 || tag > 0xFFFF) {
            throw new IllegalArgumentException("tag out of range: " + tag);
        }
        ByteBuffer b = ensure(8);
        b.putShort((short) tag);
        b.put((byte) kind.code());
        b.put((byte) (nextCritical ? 1 : 0));
        b.putInt(valueLength);
        nextCritical = false;
        length += 8;
    }

    private void pad(int valueLength) {
        int padding = (8 - (valueLength & 7)) & 7;
        if (padding > 0) {
            ensure(padding).put(ZEROS, 0, padding);
            length += padding;
        }
    }

    private ByteBuffer ensure(int bytes) {
        if (scratch.remaining() < bytes) {
            // grow the next scratch so payloads of many small fields stay few segments
            int next = Math.max(bytes, Math.min(scratch.capacity() * 2, MAX_SCRATCH));
            flushScratch(next);
        }
        return scratch;
    }

    private void flushScratch() {
        flushScratch(scratch.capacity());
    }

    private void flushScratch(int nextCapacity) {
        if (scratch.position() > 0) {
            // an open struct's length slot may live here; endStruct patches it by absolute index
            segments.add(scratch.flip());
            scratch = newScratch(nextCapacity);
        } else if (scratch.capacity() < nextCapacity) {
            scratch = newScratch(nextCapacity);
        }
    }

    private static ByteBuffer newScratch(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
