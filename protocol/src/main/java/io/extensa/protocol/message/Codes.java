package io.extensa.protocol.message;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.ProtocolException;

/** Decoding helpers for values that several messages share. */
final class Codes {

    private Codes() {
    }

    static ColumnType columnType(FieldReader in, long code) throws ProtocolException {
        ColumnType type = ColumnType.fromCode(code);
        if (type == null) {
            throw in.invalid("has unknown column type " + code);
        }
        return type;
    }

    /** A parameter value: a one-row column of the declared type. */
    static ColumnVector oneRow(FieldReader in, FieldCursor value, ColumnType declared) throws ProtocolException {
        ColumnVector column = ColumnVector.decode(value, 1);
        if (column.type() != declared) {
            throw in.invalid("value has type " + column.type() + " but the parameter is " + declared);
        }
        return column;
    }
}
