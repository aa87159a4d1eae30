package io.extensa.protocol.message;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * The value an OUTPUT parameter's variable held after the script, typed by the satellite's
 * inference; the engine converts it to the declared type.
 * <pre>
 *  1 name TEXT  2 type INT  3 pg_type TEXT (optional)  5 value STRUCT (one-row column)
 * </pre>
 */
public record OutputParam(String name, ColumnType type, String pgType, ColumnVector value) {

    public OutputParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (value.rowCount() != 1 || value.type() != type) {
            throw new IllegalArgumentException("a parameter value is one row of its type, got " + value);
        }
    }

    void encode(PayloadBuilder out) {
        out.text(1, name);
        out.int64(2, type.code());
        if (pgType != null) {
            out.text(3, pgType);
        }
        out.beginStruct(5);
        value.encode(out);
        out.endStruct();
    }

    static OutputParam decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "output param");
        String name = null;
        long type = 0;
        String pgType = null;
        FieldCursor value = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> name = in.text();
                case 2 -> type = in.int64();
                case 3 -> pgType = in.text();
                case 5 -> value = in.struct();
                default -> in.unknown();
            }
        }
        in.require(1, "name");
        in.require(2, "type");
        in.require(5, "value");
        ColumnType declared = Codes.columnType(in, type);
        return new OutputParam(name, declared, pgType, Codes.oneRow(in, value, declared));
    }
}
