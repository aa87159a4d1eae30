package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * OUTPUT_SCHEMA 0x20, satellite to engine, once per unit before its OUTPUT_BATCHes.
 * <pre>
 *  1 column STRUCT* ({@link ColumnSpec}, pg_type is a suggestion)  2 absent BOOL
 * </pre>
 *
 * @param absent the output variable was unset, None or had no columns: there is no result set
 */
public record OutputSchema(List<ColumnSpec> columns, boolean absent) implements Message {

    public OutputSchema {
        columns = List.copyOf(columns);
        if (absent && !columns.isEmpty()) {
            throw new IllegalArgumentException("an absent output has no columns");
        }
    }

    public static OutputSchema none() {
        return new OutputSchema(List.of(), true);
    }

    @Override
    public MessageType type() {
        return MessageType.OUTPUT_SCHEMA;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        for (ColumnSpec column : columns) {
            out.beginStruct(1);
            column.encode(out);
            out.endStruct();
        }
        out.bool(2, absent);
        return out;
    }

    public static OutputSchema decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "OUTPUT_SCHEMA");
        List<ColumnSpec> columns = new ArrayList<>();
        boolean absent = false;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> columns.add(ColumnSpec.decode(in.element()));
                case 2 -> absent = in.bool();
                default -> in.unknown();
            }
        }
        in.require(2, "absent");
        if (absent && !columns.isEmpty()) {
            throw in.invalid("is absent but lists " + columns.size() + " columns");
        }
        return new OutputSchema(columns, absent);
    }
}
