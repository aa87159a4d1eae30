package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * QUERY 0x26, satellite to engine: one loopback statement the script wants run as the caller.
 * Only after WELCOME offered loopback, one at a time; the engine answers QUERY_ERROR or
 * QUERY_RESULT, QUERY_BATCH*, QUERY_END.
 * <pre>
 *  1 sql TEXT (one statement, $1..$n for the parameters)
 *  2 parameter STRUCT* (one per $n, in order: 1 value TEXT, absent for SQL NULL)
 * </pre>
 *
 * @param parameters text values of $1..$n, null elements for SQL NULL; PostgreSQL infers their types
 */
public record Query(String sql, List<String> parameters) implements Message {

    public Query {
        Objects.requireNonNull(sql, "sql");
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
    }

    @Override
    public MessageType type() {
        return MessageType.QUERY;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        out.text(1, sql);
        for (String value : parameters) {
            out.beginStruct(2);
            if (value != null) {
                out.text(1, value);
            }
            out.endStruct();
        }
        return out;
    }

    public static Query decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "QUERY");
        String sql = null;
        List<String> parameters = new ArrayList<>();
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> sql = in.text();
                case 2 -> parameters.add(decodeParameter(in.element()));
                default -> in.unknown();
            }
        }
        in.require(1, "sql");
        return new Query(sql, parameters);
    }

    private static String decodeParameter(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "QUERY parameter");
        String value = null;
        while (in.next()) {
            if (in.tag() == 1) {
                value = in.text();
            } else {
                in.unknown();
            }
        }
        return value;
    }
}
