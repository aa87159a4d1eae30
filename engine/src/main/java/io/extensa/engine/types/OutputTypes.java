package io.extensa.engine.types;

import io.extensa.engine.types.OutputTarget.Kind;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;

import java.util.Locale;

/**
 * Wire type -> PostgreSQL output (docs/types.md, "wire type -> PostgreSQL output"): the type a
 * script's column becomes when nothing is declared, and the conversion to a declared type
 * (WITH RESULT SETS, or the target table's column for INSERT ... EXEC).
 */
public final class OutputTypes {

    private OutputTypes() {
    }

    /**
     * The type of an output column nobody declared: the wire type's own PostgreSQL type, or the
     * script's pg_type suggestion when it names a compatible built-in type (TEXT as varchar or
     * char, JSON as jsonb); arrays take their element's.
     */
    public static PgType naturalType(ColumnSpec spec, TypeCatalog catalog) {
        if (spec.type() == ColumnType.ARRAY) {
            String suggestion = spec.pgType();
            String elementSuggestion = suggestion != null && suggestion.endsWith("[]")
                    ? suggestion.substring(0, suggestion.length() - 2) : null;
            PgType element = natural(spec.elementType(), elementSuggestion);
            return TypeCatalog.builtIn(element.arrayOid());
        }
        return natural(spec.type(), spec.pgType());
    }

    private static PgType natural(ColumnType type, String suggestion) {
        String s = suggestion == null ? "" : suggestion.trim().toLowerCase(Locale.ROOT);
        int oid = switch (type) {
            case BOOL -> Oids.BOOL;
            case INT16 -> Oids.INT2;
            case INT32 -> Oids.INT4;
            case INT64 -> Oids.INT8;
            case FLOAT32 -> Oids.FLOAT4;
            case FLOAT64 -> Oids.FLOAT8;
            case DECIMAL -> Oids.NUMERIC;
            case TEXT -> s.startsWith("character varying") || s.startsWith("varchar") ? Oids.VARCHAR
                    : s.startsWith("character") && !s.startsWith("character varying") || s.startsWith("bpchar")
                    || s.startsWith("char(") ? Oids.BPCHAR : Oids.TEXT;
            case BYTES -> Oids.BYTEA;
            case DATE -> Oids.DATE;
            case TIMESTAMP -> Oids.TIMESTAMP;
            case TIMESTAMPTZ -> Oids.TIMESTAMPTZ;
            case TIME -> Oids.TIME;
            case INTERVAL -> Oids.INTERVAL;
            case UUID -> Oids.UUID;
            case JSON -> s.equals("jsonb") ? Oids.JSONB : Oids.JSON;
            case ARRAY -> throw new IllegalArgumentException("arrays of arrays");
        };
        return TypeCatalog.builtIn(oid);
    }

    /**
     * How to write a script's column as a declared type.
     *
     * @param source the column as the satellite described it
     * @param target the declared type; its element and base types must be in {@code catalog}
     * @param targetTypmod the declared modifier (e.g. of numeric(12,6)), -1 for none
     * @throws PgException OUTPUT_MISMATCH (38S04) when the script's type cannot become the
     *                     declared type; FEATURE_NOT_SUPPORTED for a client encoding Java lacks
     */
    public static OutputColumnPlan plan(String columnName, ColumnSpec source, PgType target, int targetTypmod,
                                        Destination destination, TypeCatalog catalog, SessionSettings settings)
            throws PgException {
        OutputTarget resolved = OutputTarget.of(target, targetTypmod, destination, catalog);
        EncoderContext ctx = new EncoderContext(columnName, settings, catalog, destination,
                destination == Destination.COPY);
        Support support = support(source.type(), source.elementType(), resolved, ctx);
        if (support == Support.NONE) {
            throw new PgException(SqlState.OUTPUT_MISMATCH, "column \"" + columnName + "\": the script returns "
                    + describe(source) + ", which cannot be converted to the declared type "
                    + TypeNames.format(target, targetTypmod, catalog));
        }
        if (resolved.isTextLike() && !settings.textIsUtf8() && settings.charset() == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "client_encoding " + settings.clientEncoding()
                    + " is not supported by Extensa for script output; use UTF8");
        }
        return new OutputColumnPlan(columnName, source, target, targetTypmod, destination, resolved,
                support == Support.SERVER, ctx);
    }

    /** {@link #plan} for a client and the natural type of the column. */
    public static OutputColumnPlan naturalPlan(String columnName, ColumnSpec source, TypeCatalog catalog,
                                               SessionSettings settings) throws PgException {
        return plan(columnName, source, naturalType(source, catalog), -1, Destination.CLIENT, catalog, settings);
    }

    /**
     * The encoder for a built-in target type sent to a client; a shortcut for
     * {@code plan(..., Destination.CLIENT, builtInCatalog, settings).encoder(format)}.
     *
     * @throws IllegalStateException when the target needs PostgreSQL to check the value; use {@link #plan}
     */
    public static ValueEncoder encoder(String columnName, ColumnSpec source, PgType target, int targetTypmod,
                                       int format, SessionSettings settings) throws PgException {
        OutputColumnPlan plan = plan(columnName, source, target, targetTypmod, Destination.CLIENT, new TypeCatalog(),
                settings);
        if (plan.needsServerCast()) {
            throw new IllegalStateException("column \"" + columnName + "\" of type " + target.name()
                    + " needs PostgreSQL to check its values; use OutputTypes.plan");
        }
        return plan.encoder(format);
    }

    static String describe(ColumnSpec source) {
        String wire = source.type() == ColumnType.ARRAY ? "ARRAY of " + source.elementType() : source.type().name();
        return source.pgType() == null ? wire : wire + " (" + source.pgType() + ")";
    }

    enum Support { NATIVE, SERVER, NONE }

    /** Whether a wire type converts to a target, natively or only by PostgreSQL parsing its text. */
    static Support support(ColumnType source, ColumnType sourceElement, OutputTarget target, EncoderContext ctx) {
        boolean zone = ctx.settings().timeZone() != null;
        // timestamptz text in the session's style needs the zone, and its abbreviations unless ISO
        boolean sessionTzText = zone && (ctx.settings().dateStyle() == SessionSettings.DateStyle.ISO
                || ctx.settings().timeZone().hasAbbreviations());
        // text PostgreSQL parses back is written in UTC, so it needs neither
        boolean tzTextNative = ctx.forServer() || sessionTzText;
        switch (target.kind()) {
            case SERVER:
                return target.serverBase() != null
                        ? (support(source, sourceElement, target.serverBase(), ctx.serverSide()) == Support.NONE
                            ? Support.NONE : Support.SERVER)
                        : serverOnly(source, target.type(), ctx) ? Support.SERVER : Support.NONE;
            case BOOL:
                return is(source, ColumnType.BOOL, ColumnType.INT16, ColumnType.INT32, ColumnType.INT64,
                        ColumnType.TEXT);
            case INT2, INT4, INT8, OID:
                return is(source, ColumnType.BOOL, ColumnType.INT16, ColumnType.INT32, ColumnType.INT64,
                        ColumnType.FLOAT32, ColumnType.FLOAT64, ColumnType.DECIMAL, ColumnType.TEXT);
            case FLOAT4, FLOAT8, NUMERIC:
                return is(source, ColumnType.INT16, ColumnType.INT32, ColumnType.INT64, ColumnType.FLOAT32,
                        ColumnType.FLOAT64, ColumnType.DECIMAL, ColumnType.TEXT);
            case TEXT, VARCHAR, BPCHAR, NAME: {
                if (source == ColumnType.ARRAY) {
                    // array_out text made of the elements' text
                    return support(sourceElement, null, new OutputTarget(Kind.TEXT, target.type(), -1, null, null),
                            ctx) == Support.NONE ? Support.NONE : Support.NATIVE;
                }
                // a server cast cannot help text targets: without the zone, timestamptz text shows UTC
                return Support.NATIVE;
            }
            case LABEL:
                return is(source, ColumnType.TEXT);
            case BYTEA:
                return is(source, ColumnType.BYTES, ColumnType.TEXT);
            case DATE, TIMESTAMP:
                if (source == ColumnType.TIMESTAMPTZ) {
                    return zone ? Support.NATIVE : Support.SERVER;
                }
                return is(source, ColumnType.DATE, ColumnType.TIMESTAMP, ColumnType.TEXT);
            case TIMESTAMPTZ: {
                Support s = is(source, ColumnType.DATE, ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.TEXT);
                if (s == Support.NATIVE && (!tzTextNative || source != ColumnType.TIMESTAMPTZ && !zone)) {
                    return Support.SERVER;
                }
                return s;
            }
            case TIME:
                return is(source, ColumnType.TIME, ColumnType.TEXT);
            case INTERVAL:
                if (source == ColumnType.TEXT) {
                    return Support.SERVER;
                }
                return is(source, ColumnType.INTERVAL, ColumnType.TIME);
            case UUID:
                return is(source, ColumnType.UUID, ColumnType.TEXT);
            case JSON, JSONB:
                return is(source, ColumnType.JSON, ColumnType.TEXT);
            case ARRAY:
                if (source == ColumnType.TEXT) {
                    return Support.SERVER;
                }
                if (source != ColumnType.ARRAY) {
                    return Support.NONE;
                }
                return support(sourceElement, null, target.element(), ctx);
            default:
                throw new AssertionError(target.kind());
        }
    }

    private static Support is(ColumnType source, ColumnType... allowed) {
        for (ColumnType type : allowed) {
            if (source == type) {
                return Support.NATIVE;
            }
        }
        return Support.NONE;
    }

    /** Types Extensa does not encode: which script values PostgreSQL may be asked to parse. */
    private static boolean serverOnly(ColumnType source, PgType target, EncoderContext ctx) {
        if (source == ColumnType.TEXT || source == ColumnType.JSON) {
            return true;
        }
        char category = target.category();
        PgType effective = target;
        while (effective.isDomain()) {
            effective = ctx.catalog().lookup(effective.baseOid());
            if (effective == null) {
                return false;
            }
            category = effective.category();
        }
        return switch (category) {
            case 'N' -> source == ColumnType.INT16 || source == ColumnType.INT32 || source == ColumnType.INT64
                    || source == ColumnType.FLOAT32 || source == ColumnType.FLOAT64 || source == ColumnType.DECIMAL;
            case 'D' -> source == ColumnType.DATE || source == ColumnType.TIMESTAMP
                    || source == ColumnType.TIMESTAMPTZ || source == ColumnType.TIME;
            case 'T' -> source == ColumnType.INTERVAL || source == ColumnType.TIME;
            case 'B' -> source == ColumnType.BOOL;
            case 'A' -> source == ColumnType.ARRAY;
            case 'S', 'Z' -> source != ColumnType.BYTES;
            default -> false;
        };
    }
}
