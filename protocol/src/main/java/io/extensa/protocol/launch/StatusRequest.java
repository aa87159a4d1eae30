package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/** STATUS_REQUEST (0x44, any client to launchpad, first message of its own connection): no fields. */
public record StatusRequest() implements ControlMessage {

    @Override
    public MessageType type() {
        return MessageType.STATUS_REQUEST;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder();
    }

    static StatusRequest decode(FieldCursor fields) throws ProtocolException {
        while (fields.next()) {
            fields.skipUnknown();
        }
        return new StatusRequest();
    }
}
