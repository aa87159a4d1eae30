package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL type -> wire type, for the columns of the input query (docs/types.md, "PostgreSQL
 * type -> wire type"). Every type is either mapped losslessly or rejected with an error that
 * names the column and the cast to use.
 */
public final class InputTypes {

    private InputTypes() {
    }

    /** {@link #plan(String, PgType, int, TypeCatalog, SessionSettings)} for a UTF8 client. */
    public static InputColumnPlan plan(String columnName, PgType type, int typmod, TypeCatalog catalog)
            throws PgException {
        return plan(columnName, type, typmod, catalog, SessionSettings.DEFAULT);
    }

    /**
     * The wire column, builder and binary decoder for one input column.
     *
     * @param type the column's type; its element and base types must be in {@code catalog}
     *             ({@link TypeCatalog#resolve} them first)
     * @param settings only the client encoding matters here: text arrives in it
     * @throws PgException DATATYPE_MISMATCH naming the column and a cast when the type cannot be
     *                     passed; FEATURE_NOT_SUPPORTED for a client encoding Java cannot read
     */
    public static InputColumnPlan plan(String columnName, PgType type, int typmod, TypeCatalog catalog,
                                       SessionSettings settings) throws PgException {
        String pgTypeText = describe(type, typmod, catalog);
        PgType effective = type;
        int effectiveTypmod = typmod;
        while (effective.isDomain()) {
            if (effectiveTypmod < 0) {
                effectiveTypmod = effective.baseTypmod();
            }
            effective = catalog.require(effective.baseOid());
        }
        if (effective.isArray()) {
            PgType element = catalog.require(effective.elementOid());
            while (element.isDomain()) {
                element = catalog.require(element.baseOid());
            }
            Scalar scalar = element.isArray() ? null : scalar(columnName, element, settings);
            if (scalar == null) {
                throw unsupported(columnName, type, true, element);
            }
            return new InputColumnPlan(new ColumnSpec(columnName, ColumnType.ARRAY, pgTypeText, scalar.wireType()),
                    type, typmod, new InputDecoders.Array(columnName, scalar.decoder()));
        }
        Scalar scalar = scalar(columnName, effective, settings);
        if (scalar == null) {
            throw unsupported(columnName, type, false, effective);
        }
        return new InputColumnPlan(ColumnSpec.of(columnName, scalar.wireType(), pgTypeText), type, typmod,
                scalar.decoder());
    }

    /** A batch builder with one column builder per plan, in order. */
    public static BatchBuilder newBatch(List<InputColumnPlan> columns) {
        return newBatch(columns, BatchBuilder.DEFAULT_MAX_BYTES, BatchBuilder.DEFAULT_MAX_ROWS);
    }

    public static BatchBuilder newBatch(List<InputColumnPlan> columns, long maxBytes, int maxRows) {
        List<ColumnBuilder> builders = new ArrayList<>(columns.size());
        for (InputColumnPlan column : columns) {
            builders.add(column.newBuilder());
        }
        return new BatchBuilder(builders, maxBytes, maxRows);
    }

    /** The pg_type text the script sees: format_type's spelling, the domain's or enum's own name. */
    static String describe(PgType type, int typmod, TypeCatalog catalog) {
        if (type.isDomain() || type.isEnum() || !type.isSystem() && !type.isArray()) {
            return type.name();
        }
        if (type.isArray()) {
            PgType element = catalog.lookup(type.elementOid());
            if (element == null || element.isDomain() || element.isEnum() || !element.isSystem()) {
                return type.name();
            }
        }
        return TypeNames.format(type, typmod, catalog);
    }

    private record Scalar(ColumnType wireType, BinaryDecoder decoder) {
    }

    private static Scalar scalar(String column, PgType type, SessionSettings settings) throws PgException {
        if (type.isEnum()) {
            return new Scalar(ColumnType.TEXT, text(column, settings, 0));
        }
        if (type.typtype() == PgType.BASE && type.typname().equals("citext")) {
            return new Scalar(ColumnType.TEXT, text(column, settings, 0));
        }
        return switch (type.oid()) {
            case Oids.BOOL -> new Scalar(ColumnType.BOOL, new InputDecoders.Bool(column));
            case Oids.INT2 -> new Scalar(ColumnType.INT16, new InputDecoders.Int2(column));
            case Oids.INT4 -> new Scalar(ColumnType.INT32, new InputDecoders.Int4(column));
            case Oids.INT8 -> new Scalar(ColumnType.INT64, new InputDecoders.Int8(column));
            case Oids.OID -> new Scalar(ColumnType.INT64, new InputDecoders.Oid(column));
            case Oids.FLOAT4 -> new Scalar(ColumnType.FLOAT32, new InputDecoders.Float4(column));
            case Oids.FLOAT8 -> new Scalar(ColumnType.FLOAT64, new InputDecoders.Float8(column));
            case Oids.NUMERIC -> new Scalar(ColumnType.DECIMAL, new InputDecoders.Numeric(column));
            case Oids.TEXT, Oids.VARCHAR, Oids.BPCHAR, Oids.NAME, Oids.UNKNOWN ->
                    new Scalar(ColumnType.TEXT, text(column, settings, 0));
            case Oids.CHAR -> new Scalar(ColumnType.TEXT, new InputDecoders.InternalChar(column));
            case Oids.BYTEA -> new Scalar(ColumnType.BYTES, new InputDecoders.Bytea(column));
            case Oids.DATE -> new Scalar(ColumnType.DATE, new InputDecoders.Date(column));
            case Oids.TIMESTAMP -> new Scalar(ColumnType.TIMESTAMP, new InputDecoders.Timestamp(column, false));
            case Oids.TIMESTAMPTZ -> new Scalar(ColumnType.TIMESTAMPTZ, new InputDecoders.Timestamp(column, true));
            case Oids.TIME -> new Scalar(ColumnType.TIME, new InputDecoders.Time(column));
            case Oids.INTERVAL -> new Scalar(ColumnType.INTERVAL, new InputDecoders.Interval(column));
            case Oids.UUID -> new Scalar(ColumnType.UUID, new InputDecoders.Uuid(column));
            case Oids.JSON -> new Scalar(ColumnType.JSON, text(column, settings, 0));
            case Oids.JSONB -> new Scalar(ColumnType.JSON, text(column, settings, 1));
            default -> null;
        };
    }

    private static BinaryDecoder text(String column, SessionSettings settings, int skip) throws PgException {
        if (settings.textIsUtf8()) {
            return new InputDecoders.Text(column, null, settings.clientEncoding().equals("SQL_ASCII"), skip);
        }
        Charset charset = settings.charset();
        if (charset == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "client_encoding " + settings.clientEncoding()
                    + " is not supported by Extensa for text passed to scripts; use UTF8");
        }
        return new InputDecoders.Text(column, charset, false, skip);
    }

    private static PgException unsupported(String column, PgType declared, boolean array, PgType culprit) {
        String cast;
        if (culprit.oid() == Oids.MONEY) {
            cast = array ? "::numeric[]" : "::numeric";
        } else if (culprit.oid() == Oids.TIMETZ && !array) {
            cast = "::time or " + TypeErrors.columnReference(column) + "::text";
        } else if (culprit.oid() == Oids.TIMETZ) {
            cast = "::time[] or " + TypeErrors.columnReference(column) + "::text[]";
        } else {
            cast = array && !culprit.isArray() ? "::text[]" : "::text";
        }
        return new PgException(SqlState.DATATYPE_MISMATCH, "column \"" + column + "\" has type " + declared.name()
                + ", which Extensa cannot pass to a script; cast it, e.g. " + TypeErrors.columnReference(column)
                + cast);
    }
}
