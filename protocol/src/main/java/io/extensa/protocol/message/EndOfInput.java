package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * END_OF_INPUT 0x12, engine to satellite: the rows of a unit are complete; run the script on them.
 * <pre>
 *  1 last BOOL (no unit follows)  2 unit INT (0-based)
 * </pre>
 */
public record EndOfInput(boolean last, long unit) implements Message {

    @Override
    public MessageType type() {
        return MessageType.END_OF_INPUT;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().bool(1, last).int64(2, unit);
    }

    public static EndOfInput decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "END_OF_INPUT");
        boolean last = false;
        long unit = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> last = in.bool();
                case 2 -> unit = in.int64();
                default -> in.unknown();
            }
        }
        in.require(1, "last");
        in.require(2, "unit");
        if (unit < 0) {
            throw in.invalid("unit " + unit + " is negative");
        }
        return new EndOfInput(last, unit);
    }
}
