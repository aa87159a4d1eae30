package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * QUERY_END 0x29, engine to satellite: the loopback statement is complete.
 * <pre>
 *  1 command TEXT (PostgreSQL's command tag, e.g. SELECT 3, INSERT 0 1)  2 row_count INT (rows returned or affected)
 * </pre>
 */
public record QueryEnd(String command, long rowCount) implements Message {

    public QueryEnd {
        Objects.requireNonNull(command, "command");
        if (rowCount < 0) {
            throw new IllegalArgumentException("negative row count " + rowCount);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.QUERY_END;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(1, command).int64(2, rowCount);
    }

    public static QueryEnd decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "QUERY_END");
        String command = null;
        long rows = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> command = in.text();
                case 2 -> rows = in.int64();
                default -> in.unknown();
            }
        }
        in.require(1, "command");
        in.require(2, "row_count");
        if (rows < 0) {
            throw in.invalid("row_count " + rows + " is negative");
        }
        return new QueryEnd(command, rows);
    }
}
