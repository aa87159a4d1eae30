package io.extensa.engine.types;

import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;

/**
 * How one column of the input query travels to the script.
 *
 * @param spec the column as the satellite's input schema describes it (name, wire type, pg_type text,
 *             element type of arrays)
 * @param type the PostgreSQL type of the column
 * @param typmod its type modifier (-1 none)
 * @param decoder turns the column's binary fields into wire values
 */
public record InputColumnPlan(ColumnSpec spec, PgType type, int typmod, BinaryDecoder decoder) {

    /** A fresh, empty builder for this column's wire type. */
    public ColumnBuilder newBuilder() {
        return ColumnBuilder.create(spec.type(), spec.elementType());
    }

    public ColumnType wireType() {
        return spec.type();
    }

    public String name() {
        return spec.name();
    }

    /** The same plan with a decoder of its own, for another reader thread (decoders keep scratch space). */
    public InputColumnPlan forAnotherThread() {
        BinaryDecoder own = decoder.forAnotherThread();
        return own == decoder ? this : new InputColumnPlan(spec, type, typmod, own);
    }

    /** {@link #forAnotherThread} of each plan. */
    public static java.util.List<InputColumnPlan> forAnotherThread(java.util.List<InputColumnPlan> plans) {
        return plans.stream().map(InputColumnPlan::forAnotherThread).toList();
    }
}
