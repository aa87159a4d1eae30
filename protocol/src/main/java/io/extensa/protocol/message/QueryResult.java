package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * QUERY_RESULT 0x27, engine to satellite: a loopback statement succeeded; its rows follow as
 * QUERY_BATCHes in this schema, then QUERY_END.
 * <pre>
 *  1 column STRUCT* ({@link ColumnSpec})  2 returns_rows BOOL (false: a command such as INSERT without RETURNING)
 * </pre>
 */
public record QueryResult(List<ColumnSpec> columns, boolean returnsRows) implements Message {

    public QueryResult {
        columns = List.copyOf(columns);
        if (!returnsRows && !columns.isEmpty()) {
            throw new IllegalArgumentException("a statement without rows has no columns");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.QUERY_RESULT;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        for (ColumnSpec column : columns) {
            out.beginStruct(1);
            column.encode(out);
            out.endStruct();
        }
        out.bool(2, returnsRows);
        return out;
    }

    public static QueryResult decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "QUERY_RESULT");
        List<ColumnSpec> columns = new ArrayList<>();
        boolean returnsRows = false;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> columns.add(ColumnSpec.decode(in.element()));
                case 2 -> returnsRows = in.bool();
                default -> in.unknown();
            }
        }
        in.require(2, "returns_rows");
        if (!returnsRows && !columns.isEmpty()) {
            throw in.invalid("returns no rows but lists " + columns.size() + " columns");
        }
        return new QueryResult(columns, returnsRows);
    }
}
