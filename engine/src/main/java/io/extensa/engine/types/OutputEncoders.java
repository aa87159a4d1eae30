package io.extensa.engine.types;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;

/** Assembles the encoder for a (wire type, output target, format) that {@link OutputTypes#support} accepted. */
final class OutputEncoders {

    /** NAMEDATALEN - 1 */
    private static final int NAME_BYTES = 63;

    private OutputEncoders() {
    }

    static ValueEncoder build(ColumnType source, ColumnType sourceElement, OutputTarget target, boolean binary,
                              EncoderContext ctx) {
        ValueEncoder encoder = buildUtf8(source, sourceElement, target, binary, ctx);
        return switch (target.kind()) {
            // text leaves are converted one by one, so array lengths and quoting stay right
            case TEXT, VARCHAR, BPCHAR, NAME, LABEL, JSON, JSONB -> inClientEncoding(encoder, ctx);
            default -> encoder;
        };
    }

    /** Converts text an encoder wrote as UTF-8 into the client encoding, when that is not UTF-8. */
    static ValueEncoder inClientEncoding(ValueEncoder encoder, EncoderContext ctx) {
        SessionSettings settings = ctx.settings();
        if (settings.textIsUtf8()) {
            return encoder;
        }
        return new TextEncoders.ClientEncoding(encoder, settings.charset(), settings.clientEncoding(), ctx.column());
    }

    private static ValueEncoder buildUtf8(ColumnType source, ColumnType sourceElement, OutputTarget target,
                                          boolean binary, EncoderContext ctx) {
        String column = ctx.column();
        SessionSettings text = ctx.textSettings();
        int typmod = target.typmod();
        return switch (target.kind()) {
            case BOOL -> new NumberEncoders.BoolEncoder(NumberEncoders.longReader(source, "boolean", ctx), binary,
                    column);
            case INT2 -> integer(source, "smallint", Short.MIN_VALUE, Short.MAX_VALUE, 2, binary, ctx);
            case INT4 -> integer(source, "integer", Integer.MIN_VALUE, Integer.MAX_VALUE, 4, binary, ctx);
            case INT8 -> integer(source, "bigint", Long.MIN_VALUE, Long.MAX_VALUE, 8, binary, ctx);
            case OID -> integer(source, "oid", 0, 0xFFFF_FFFFL, 4, binary, ctx);
            case FLOAT4 -> new NumberEncoders.FloatEncoder(NumberEncoders.doubleReader(source, true, ctx), true,
                    binary, text.extraFloatDigits(), column);
            case FLOAT8 -> new NumberEncoders.FloatEncoder(NumberEncoders.doubleReader(source, false, ctx), false,
                    binary, text.extraFloatDigits(), column);
            case NUMERIC -> new NumberEncoders.NumericEncoder(NumberEncoders.decimalReader(source, ctx), typmod, binary,
                    column);
            case TEXT, VARCHAR, BPCHAR, NAME -> textTarget(source, sourceElement, target, ctx);
            case LABEL -> new TextEncoders.TextTargetEncoder(new TextEncoders.Verbatim(), true, -1, false,
                    NAME_BYTES, target.type().name(), column);
            case BYTEA -> new TextEncoders.ByteaEncoder(binary, text.byteaHex(),
                    source == ColumnType.TEXT ? column : null);
            case DATE -> new TemporalEncoders.DateEncoder(TemporalEncoders.dateReader(source, ctx), binary, text);
            case TIMESTAMP, TIMESTAMPTZ -> {
                boolean withZone = target.kind() == OutputTarget.Kind.TIMESTAMPTZ;
                yield new TemporalEncoders.TimestampEncoder(TemporalEncoders.timestampReader(source, withZone, ctx),
                        withZone, typmod, binary, text, ctx.outputZone());
            }
            case TIME -> new TemporalEncoders.TimeEncoder(TemporalEncoders.timeReader(source, ctx), typmod, binary);
            case INTERVAL -> new TemporalEncoders.IntervalEncoder(source == ColumnType.TIME, typmod, binary, text);
            case UUID -> new TextEncoders.UuidEncoder(binary, source == ColumnType.TEXT ? column : null);
            case JSON -> new TextEncoders.JsonEncoder(column);
            case JSONB -> new TextEncoders.JsonbEncoder(binary, column);
            case ARRAY -> {
                ValueEncoder element = build(sourceElement, null, target.element(), binary, ctx);
                yield binary ? new ArrayEncoders.Binary(element, target.type().elementOid())
                        : new ArrayEncoders.Text(element);
            }
            case SERVER -> throw new IllegalStateException("a server cast has no native encoder");
        };
    }

    /** The text PostgreSQL parses for a server cast: the native base's text where there is one. */
    static ValueEncoder serverText(ColumnSpec source, OutputTarget target, EncoderContext ctx) {
        OutputTarget base = target.serverBase();
        if (base != null && OutputTypes.support(source.type(), source.elementType(), base, ctx)
                == OutputTypes.Support.NATIVE) {
            return build(source.type(), source.elementType(), base, false, ctx);
        }
        return inClientEncoding(naturalText(source.type(), source.elementType(), ctx), ctx);
    }

    private static ValueEncoder naturalText(ColumnType source, ColumnType sourceElement, EncoderContext ctx) {
        if (source == ColumnType.ARRAY) {
            return new ArrayEncoders.Text(TextEncoders.naturalText(sourceElement, ctx.textSettings(), ctx.forServer(),
                    ctx.column()));
        }
        return TextEncoders.naturalText(source, ctx.textSettings(), ctx.forServer(), ctx.column());
    }

    private static ValueEncoder integer(ColumnType source, String name, long min, long max, int width, boolean binary,
                                        EncoderContext ctx) {
        return new NumberEncoders.IntegerEncoder(source, NumberEncoders.longReader(source, name, ctx), min, max, name,
                width, binary, ctx.column());
    }

    private static ValueEncoder textTarget(ColumnType source, ColumnType sourceElement, OutputTarget target,
                                           EncoderContext ctx) {
        int length = target.kind() == OutputTarget.Kind.VARCHAR || target.kind() == OutputTarget.Kind.BPCHAR
                ? TypeNames.characterLength(target.typmod()) : -1;
        boolean pad = target.kind() == OutputTarget.Kind.BPCHAR && length >= 0;
        int maxBytes = target.kind() == OutputTarget.Kind.NAME ? NAME_BYTES : -1;
        boolean mayContainNul = source == ColumnType.TEXT || source == ColumnType.JSON || source == ColumnType.ARRAY;
        // the text is the stored value itself, so it follows the session's display settings, as a cast would
        EncoderContext display = new EncoderContext(ctx.column(), ctx.settings(), ctx.catalog(), ctx.destination(),
                false);
        return new TextEncoders.TextTargetEncoder(naturalText(source, sourceElement, display), mayContainNul, length, pad,
                maxBytes, TypeNames.format(target.type(), target.typmod(), ctx.catalog()), ctx.column());
    }
}
