package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * OUTPUT_END 0x22, satellite to engine: a unit's output is complete.
 * <pre>
 *  1 unit INT  2 row_count INT (rows sent in this unit's OUTPUT_BATCHes)
 * </pre>
 */
public record OutputEnd(long unit, long rowCount) implements Message {

    @Override
    public MessageType type() {
        return MessageType.OUTPUT_END;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().int64(1, unit).int64(2, rowCount);
    }

    public static OutputEnd decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "OUTPUT_END");
        long unit = 0;
        long rows = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> unit = in.int64();
                case 2 -> rows = in.int64();
                default -> in.unknown();
            }
        }
        in.require(1, "unit");
        in.require(2, "row_count");
        if (unit < 0 || rows < 0) {
            throw in.invalid("unit " + unit + " row_count " + rows);
        }
        return new OutputEnd(unit, rows);
    }
}
