package io.extensa.protocol.message;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * A script parameter in SESSION_INIT; the script sees it as a variable called {@code name}.
 * <pre>
 *  1 name TEXT (without '@')  2 type INT  3 pg_type TEXT (optional)  4 is_output BOOL  5 value STRUCT
 * </pre>
 *
 * @param value a one-row column of {@code type} (NULL is a row marked NULL)
 */
public record Param(String name, ColumnType type, String pgType, boolean isOutput, ColumnVector value) {

    public Param {
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
        out.bool(4, isOutput);
        out.beginStruct(5);
        value.encode(out);
        out.endStruct();
    }

    static Param decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "param");
        String name = null;
        long type = 0;
        String pgType = null;
        boolean isOutput = false;
        FieldCursor value = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> name = in.text();
                case 2 -> type = in.int64();
                case 3 -> pgType = in.text();
                case 4 -> isOutput = in.bool();
                case 5 -> value = in.struct();
                default -> in.unknown();
            }
        }
        in.require(1, "name");
        in.require(2, "type");
        in.require(5, "value");
        ColumnType declared = Codes.columnType(in, type);
        return new Param(name, declared, pgType, isOutput, Codes.oneRow(in, value, declared));
    }
}
