package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/** END 0x3F, from the satellite after OUTPUT_PARAMS, all done; from the engine, goodbye: exit now. No fields. */
public record End() implements Message {

    @Override
    public MessageType type() {
        return MessageType.END;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder();
    }

    public static End decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "END");
        while (in.next()) {
            in.unknown();
        }
        return new End();
    }
}
