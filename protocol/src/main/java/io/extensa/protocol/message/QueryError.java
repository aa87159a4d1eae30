package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * QUERY_ERROR 0x2A, engine to satellite: the loopback statement failed or was refused; the
 * session goes on (the script decides whether to raise).
 * <pre>
 *  1 sqlstate TEXT (five characters)  2 message TEXT  3 detail TEXT (optional)  4 hint TEXT (optional)
 * </pre>
 */
public record QueryError(String sqlState, String message, String detail, String hint) implements Message {

    public QueryError {
        Objects.requireNonNull(sqlState, "sqlState");
        Objects.requireNonNull(message, "message");
        if (sqlState.length() != 5) {
            throw new IllegalArgumentException("SQLSTATE must have five characters: " + sqlState);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.QUERY_ERROR;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder().text(1, sqlState).text(2, message);
        if (detail != null) {
            out.text(3, detail);
        }
        if (hint != null) {
            out.text(4, hint);
        }
        return out;
    }

    public static QueryError decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "QUERY_ERROR");
        String sqlState = null;
        String message = null;
        String detail = null;
        String hint = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> sqlState = in.text();
                case 2 -> message = in.text();
                case 3 -> detail = in.text();
                case 4 -> hint = in.text();
                default -> in.unknown();
            }
        }
        in.require(1, "sqlstate");
        in.require(2, "message");
        if (sqlState.length() != 5) {
            throw in.invalid("sqlstate '" + sqlState + "' is not five characters");
        }
        return new QueryError(sqlState, message, detail, hint);
    }
}
