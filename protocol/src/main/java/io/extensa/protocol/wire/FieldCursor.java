package io.extensa.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Walks the tagged fields of a payload (or of a struct value) without copying. Every header is
 * validated against the bytes that remain, so a malformed payload fails with a
 * {@link ProtocolException} naming the message and tag instead of reading out of bounds.
 */
public final class FieldCursor {

    private final ByteBuffer buffer;
    private final String context;
    private int tag = -1;
    private FieldKind kind;
    private boolean critical;
    private int valueStart;
    private int valueLength;

    public FieldCursor(ByteBuffer payload, String context) {
        this.buffer = payload.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.context = context;
    }

    /** Advances to the next field; false at the end of the payload. */
    public boolean next() throws ProtocolException {
        if (tag >= 0) {
            int padded = valueLength + ((8 - (valueLength & 7)) & 7);
            buffer.position(valueStart + padded);
        }
        if (!buffer.hasRemaining()) {
            tag = -1;
            return false;
        }
        if (buffer.remaining() < 8) {
            throw new ProtocolException(context + ": truncated field header (" + buffer.remaining() + " bytes left)");
        }
        int t = Short.toUnsignedInt(buffer.getShort());
        int k = Byte.toUnsignedInt(buffer.get());
        int flags = Byte.toUnsignedInt(buffer.get());
        long len = Integer.toUnsignedLong(buffer.getInt());
        FieldKind fieldKind = FieldKind.fromCode(k);
        if (fieldKind == null) {
            throw new ProtocolException(context + ": field " + t + " has unknown kind " + k);
        }
        long padded = len + ((8 - (len & 7)) & 7);
        if (padded > buffer.remaining()) {
            throw new ProtocolException(context + ": field " + t + " claims " + len + " bytes but only "
                    + buffer.remaining() + " remain");
        }
        int fixed = switch (fieldKind) {
            case INT, FLOAT -> 8;
            case BOOL -> 1;
            default -> -1;
        };
        if (fixed >= 0 && len != fixed) {
            throw new ProtocolException(context + ": " + fieldKind + " field " + t + " has length " + len);
        }
        tag = t;
        kind = fieldKind;
        critical = (flags & 1) != 0;
        valueStart = buffer.position();
        valueLength = (int) len;
        return true;
    }

    public int tag() {
        return tag;
    }

    public FieldKind kind() {
        return kind;
    }

    public boolean critical() {
        return critical;
    }

    /** The current field's value length in bytes, without padding. */
    public int valueLength() {
        return valueLength;
    }

    public long asInt() throws ProtocolException {
        expect(FieldKind.INT);
        return buffer.getLong(valueStart);
    }

    /** The INT value, checked to fit in a Java int. */
    public int asInt32() throws ProtocolException {
        long v = asInt();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ProtocolException(context + ": field " + tag + " value " + v + " out of range");
        }
        return (int) v;
    }

    public double asFloat() throws ProtocolException {
        expect(FieldKind.FLOAT);
        return buffer.getDouble(valueStart);
    }

    public boolean asBool() throws ProtocolException {
        expect(FieldKind.BOOL);
        byte b = buffer.get(valueStart);
        if (b != 0 && b != 1) {
            throw new ProtocolException(context + ": BOOL field " + tag + " holds " + b);
        }
        return b == 1;
    }

    /** Decodes strictly: malformed UTF-8 is a protocol error, not replacement characters. */
    public String asText() throws ProtocolException {
        expect(FieldKind.TEXT);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(value());
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(context + ": TEXT field " + tag + " is not valid UTF-8", e);
        }
    }

    /** A read-only little-endian view of the value; valid as long as the payload is. */
    public ByteBuffer asBytes() throws ProtocolException {
        expect(FieldKind.BYTES);
        return value();
    }

    public FieldCursor asStruct() throws ProtocolException {
        expect(FieldKind.STRUCT);
        return new FieldCursor(value(), context + "." + tag);
    }

    /** Call for a tag the reader does not know: fine unless the sender marked it critical. */
    public void skipUnknown() throws ProtocolException {
        if (critical) {
            throw new ProtocolException(context + ": unknown critical field " + tag);
        }
    }

    public String context() {
        return context;
    }

    private ByteBuffer value() {
        return buffer.slice(valueStart, valueLength).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    private void expect(FieldKind expected) throws ProtocolException {
        if (tag < 0) {
            throw new IllegalStateException("no current field: call next() first");
        }
        if (kind != expected) {
            throw new ProtocolException(context + ": field " + tag + " should be " + expected + " but is " + kind);
        }
    }
}
