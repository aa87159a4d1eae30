package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * HEARTBEAT 0x32, either direction, shows liveness and is otherwise ignored.
 * <pre>
 *  1 millis INT (sender's clock, milliseconds since the epoch)
 * </pre>
 */
public record Heartbeat(long millis) implements Message {

    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().int64(1, millis);
    }

    public static Heartbeat decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "HEARTBEAT");
        long millis = 0;
        while (in.next()) {
            if (in.tag() == 1) {
                millis = in.int64();
            } else {
                in.unknown();
            }
        }
        in.require(1, "millis");
        return new Heartbeat(millis);
    }
}
