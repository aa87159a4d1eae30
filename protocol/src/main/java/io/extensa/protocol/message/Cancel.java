package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/** CANCEL 0x31, engine to satellite: stop the script and answer ERROR kind cancelled. No fields. */
public record Cancel() implements Message {

    @Override
    public MessageType type() {
        return MessageType.CANCEL;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder();
    }

    public static Cancel decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "CANCEL");
        while (in.next()) {
            in.unknown();
        }
        return new Cancel();
    }
}
