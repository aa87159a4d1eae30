package io.extensa.protocol.message;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * One column of an input schema (SESSION_INIT) or output schema (OUTPUT_SCHEMA).
 * <pre>
 *  1 name TEXT  2 type INT (column type code)  3 pg_type TEXT (optional)  4 element_type INT (ARRAY only)
 * </pre>
 *
 * @param pgType the PostgreSQL type, e.g. {@code numeric(12,6)} or {@code integer[]}; null when unknown
 * @param elementType the element type of an ARRAY column, null otherwise
 */
public record ColumnSpec(String name, ColumnType type, String pgType, ColumnType elementType) {

    public ColumnSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if ((type == ColumnType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("element type goes with ARRAY columns only: " + type + "/" + elementType);
        }
        if (elementType == ColumnType.ARRAY) {
            throw new IllegalArgumentException("array elements cannot be arrays");
        }
    }

    public static ColumnSpec of(String name, ColumnType type, String pgType) {
        return new ColumnSpec(name, type, pgType, null);
    }

    void encode(PayloadBuilder out) {
        out.text(1, name);
        out.int64(2, type.code());
        if (pgType != null) {
            out.text(3, pgType);
        }
        if (elementType != null) {
            out.int64(4, elementType.code());
        }
    }

    static ColumnSpec decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "column");
        String name = null;
        long type = 0;
        String pgType = null;
        long elementType = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> name = in.text();
                case 2 -> type = in.int64();
                case 3 -> pgType = in.text();
                case 4 -> elementType = in.int64();
                default -> in.unknown();
            }
        }
        in.require(1, "name");
        in.require(2, "type");
        ColumnType columnType = Codes.columnType(in, type);
        ColumnType element = in.has(4) ? Codes.columnType(in, elementType) : null;
        if ((columnType == ColumnType.ARRAY) != (element != null) || element == ColumnType.ARRAY) {
            throw in.invalid("'" + name + "' has type " + columnType + " with element type " + element);
        }
        return new ColumnSpec(name, columnType, pgType, element);
    }
}
