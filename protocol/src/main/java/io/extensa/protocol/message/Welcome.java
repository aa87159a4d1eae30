package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * WELCOME 0x02, the engine's answer to a satellite's HELLO.
 * <pre>
 *  1 max_frame INT   largest payload the engine accepts
 *  2 loopback BOOL   the engine answers QUERY (written only when true; older satellites skip it)
 * </pre>
 */
public record Welcome(long maxFrame, boolean loopback) implements Message {

    public Welcome(long maxFrame) {
        this(maxFrame, false);
    }

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder().int64(1, maxFrame);
        if (loopback) {
            out.bool(2, true);
        }
        return out;
    }

    public static Welcome decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "WELCOME");
        long maxFrame = 0;
        boolean loopback = false;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> maxFrame = in.int64();
                case 2 -> loopback = in.bool();
                default -> in.unknown();
            }
        }
        in.require(1, "max_frame");
        if (maxFrame <= 0) {
            throw in.invalid("max_frame " + maxFrame + " is not positive");
        }
        return new Welcome(maxFrame, loopback);
    }
}
