package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;

/**
 * A {@link FieldCursor} that also enforces the message rules decoders share: a singular field
 * appears at most once, required fields are present, unknown fields are skipped unless critical.
 */
final class FieldReader {

    private final FieldCursor cursor;
    private final String name;
    private long seen;

    FieldReader(FieldCursor cursor, String name) {
        this.cursor = cursor;
        this.name = name;
    }

    boolean next() throws ProtocolException {
        return cursor.next();
    }

    int tag() {
        return cursor.tag();
    }

    long int64() throws ProtocolException {
        once();
        return cursor.asInt();
    }

    int int32() throws ProtocolException {
        once();
        return cursor.asInt32();
    }

    boolean bool() throws ProtocolException {
        once();
        return cursor.asBool();
    }

    String text() throws ProtocolException {
        once();
        return cursor.asText();
    }

    byte[] bytes() throws ProtocolException {
        once();
        ByteBuffer value = cursor.asBytes();
        byte[] out = new byte[value.remaining()];
        value.get(out);
        return out;
    }

    FieldCursor struct() throws ProtocolException {
        once();
        return cursor.asStruct();
    }

    /** A repeated struct: no uniqueness check. */
    FieldCursor element() throws ProtocolException {
        return cursor.asStruct();
    }

    /** A repeated int field. */
    long intElement() throws ProtocolException {
        return cursor.asInt();
    }

    /** A repeated text field. */
    String textElement() throws ProtocolException {
        return cursor.asText();
    }

    void unknown() throws ProtocolException {
        cursor.skipUnknown();
    }

    boolean has(int tag) {
        return (seen & (1L << tag)) != 0;
    }

    void require(int tag, String field) throws ProtocolException {
        if (!has(tag)) {
            throw new ProtocolException(cursor.context() + ": " + name + " without its " + field + " (field " + tag + ")");
        }
    }

    ProtocolException invalid(String problem) {
        return new ProtocolException(cursor.context() + ": " + name + " " + problem);
    }

    private void once() throws ProtocolException {
        int tag = cursor.tag();
        if (tag < 64) {
            if (has(tag)) {
                throw new ProtocolException(cursor.context() + ": " + name + " field " + tag + " repeated");
            }
            seen |= 1L << tag;
        }
    }
}
