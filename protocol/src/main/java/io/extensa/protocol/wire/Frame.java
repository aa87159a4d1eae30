package io.extensa.protocol.wire;

import java.nio.ByteBuffer;

/** One received frame: its type and its payload, positioned at the first field. */
public record Frame(MessageType type, int sequence, ByteBuffer payload) {

    public FieldCursor fields() {
        return new FieldCursor(payload.duplicate(), type.name());
    }
}
