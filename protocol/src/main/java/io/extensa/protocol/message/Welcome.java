package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * WELCOME 0x02, the engine's answer to a satellite's HELLO.
 * <pre>
 *  1 max_frame INT   largest payload the engine accepts
 * </pre>
 */
public record Welcome(long maxFrame) implements Message {

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().int64(1, maxFrame);
    }

    public static Welcome decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "WELCOME");
        long maxFrame = 0;
        while (in.next()) {
            if (in.tag() == 1) {
                maxFrame = in.int64();
            } else {
                in.unknown();
            }
        }
        in.require(1, "max_frame");
        if (maxFrame <= 0) {
            throw in.invalid("max_frame " + maxFrame + " is not positive");
        }
        return new Welcome(maxFrame);
    }
}
