package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Encoders whose output is text-like: the PostgreSQL text of any wire value (for text targets
 * and for values PostgreSQL must parse), text/varchar/char/name targets with their length
 * rules, bytea, uuid, json, jsonb and enum labels, and the conversion to a non-UTF8 client
 * encoding.
 */
final class TextEncoders {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private TextEncoders() {
    }

    /**
     * PostgreSQL's text of a wire value as its natural type would print it, except that booleans
     * read {@code true}/{@code false} (the boolean-to-text cast). With {@code forServer}, the text
     * is meant for PostgreSQL to parse: timestamptz is written in UTC with its offset, so it needs
     * no session zone.
     *
     * @return null for ARRAY sources; see {@link ArrayEncoders}
     */
    static ValueEncoder naturalText(ColumnType source, SessionSettings settings, boolean forServer, String column) {
        return switch (source) {
            case BOOL -> (c, r, n, out) -> out.putAscii(c.getBoolean(r) ? "true" : "false");
            case INT16 -> (c, r, n, out) -> out.putDecimal(c.getShort(r));
            case INT32 -> (c, r, n, out) -> out.putDecimal(c.getInt(r));
            case INT64 -> (c, r, n, out) -> out.putDecimal(c.getLong(r));
            case FLOAT32 -> new ValueEncoder() {
                private final FloatText text = new FloatText();

                @Override
                public void encode(ColumnVector c, int r, long n, FieldBuffer out) {
                    text.writeFloat(out, c.getFloat(r), forServer ? 1 : settings.extraFloatDigits());
                }
            };
            case FLOAT64 -> new ValueEncoder() {
                private final FloatText text = new FloatText();

                @Override
                public void encode(ColumnVector c, int r, long n, FieldBuffer out) {
                    text.writeDouble(out, c.getDouble(r), forServer ? 1 : settings.extraFloatDigits());
                }
            };
            case DECIMAL -> new ValueEncoder() {
                private final DecimalValue value = new DecimalValue();
                private final VectorData data = new VectorData();

                @Override
                public void encode(ColumnVector c, int r, long n, FieldBuffer out) {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    int to = from + c.valueLength(r);
                    if (value.parse(b, from, to) == DecimalValue.ParseResult.OK) {
                        value.writeText(out);
                    } else {
                        out.putBytes(b, from, to - from); // beyond numeric's range: the digits as given
                    }
                }
            };
            case TEXT, JSON -> new Verbatim();
            case BYTES -> new ByteaEncoder(false, settings.byteaHex() || forServer, null);
            case DATE -> (c, r, n, out) -> DateTimeText.writeDate(out, TemporalEncoders.pgDate(c.getInt(r), column, n),
                    settings.dateStyle(), settings.dateOrder());
            case TIMESTAMP -> (c, r, n, out) -> DateTimeText.writeTimestamp(out,
                    TemporalEncoders.pgTimestamp(c.getLong(r), column, n), settings.dateStyle(), settings.dateOrder());
            case TIMESTAMPTZ -> (c, r, n, out) -> DateTimeText.writeTimestampTz(out,
                    TemporalEncoders.pgTimestamp(c.getLong(r), column, n),
                    forServer || settings.timeZone() == null ? PgTimeZone.UTC : settings.timeZone(),
                    settings.dateStyle(), settings.dateOrder());
            case TIME -> (c, r, n, out) -> DateTimeText.writeTime(out, c.getLong(r));
            case INTERVAL -> (c, r, n, out) -> IntervalText.write(out, c.getIntervalMicros(r), c.getIntervalDays(r),
                    c.getIntervalMonths(r), forServer ? SessionSettings.IntervalStyle.POSTGRES : settings.intervalStyle());
            case UUID -> (c, r, n, out) -> writeUuid(out, c.getUuidMostSignificant(r), c.getUuidLeastSignificant(r));
            case ARRAY -> null;
        };
    }

    /** The value's bytes as they are (TEXT, JSON, DECIMAL). */
    static final class Verbatim implements ValueEncoder {
        private final VectorData data = new VectorData();

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) {
            out.putBytes(data.of(c), c.valueOffset(r), c.valueLength(r));
        }
    }

    static void writeUuid(FieldBuffer out, long high, long low) {
        writeHex(out, high >>> 32, 8);
        out.putByte('-');
        writeHex(out, high >>> 16, 4);
        out.putByte('-');
        writeHex(out, high, 4);
        out.putByte('-');
        writeHex(out, low >>> 48, 4);
        out.putByte('-');
        writeHex(out, low, 12);
    }

    private static void writeHex(FieldBuffer out, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.putByte(HEX[(int) (value >>> shift) & 0xF]);
        }
    }

    /**
     * text, varchar(n), char(n), name and citext. Text and binary formats are the same bytes.
     * Lengths count characters; like PostgreSQL's assignment, trailing spaces beyond the limit are
     * dropped, any other excess fails (22001). char(n) is padded with spaces.
     */
    static final class TextTargetEncoder implements ValueEncoder {
        private final ValueEncoder source;
        private final boolean mayContainNul;
        private final int maxChars;
        private final boolean pad;
        private final int maxBytes;
        private final String typeName;
        private final String column;

        /**
         * @param maxChars the declared length, -1 for none
         * @param maxBytes a byte limit (name: 63), -1 for none
         */
        TextTargetEncoder(ValueEncoder source, boolean mayContainNul, int maxChars, boolean pad, int maxBytes,
                          String typeName, String column) {
            this.source = source;
            this.mayContainNul = mayContainNul;
            this.maxChars = maxChars;
            this.pad = pad;
            this.maxBytes = maxBytes;
            this.typeName = typeName;
            this.column = column;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            int start = out.size();
            source.encode(c, r, n, out);
            if (mayContainNul) {
                checkNoNul(out, start, column, n);
            }
            if (maxBytes >= 0 && out.size() - start > maxBytes) {
                throw TypeErrors.value(SqlState.STRING_DATA_RIGHT_TRUNCATION, column, n, "value too long for type "
                        + typeName + " (" + (out.size() - start) + " bytes, at most " + maxBytes + "): "
                        + TypeErrors.show(shown(out, start)));
            }
            if (maxChars < 0) {
                return;
            }
            int chars = 0;
            int cut = -1;
            byte[] a = out.array();
            int end = out.size();
            for (int i = start; i < end; i++) {
                if ((a[i] & 0xC0) != 0x80) {
                    if (chars == maxChars) {
                        cut = i;
                    }
                    chars++;
                }
            }
            if (cut >= 0) {
                for (int i = cut; i < end; i++) {
                    if (a[i] != ' ') {
                        throw TypeErrors.value(SqlState.STRING_DATA_RIGHT_TRUNCATION, column, n,
                                "value too long for type " + typeName + " (" + chars + " characters): "
                                        + TypeErrors.show(shown(out, start)));
                    }
                }
                out.truncate(cut);
                return;
            }
            if (pad) {
                for (int i = chars; i < maxChars; i++) {
                    out.putByte(' ');
                }
            }
        }

        private static String shown(FieldBuffer out, int start) {
            return new String(out.array(), start, out.size() - start, StandardCharsets.UTF_8);
        }
    }

    /** PostgreSQL text cannot hold U+0000. */
    static void checkNoNul(FieldBuffer out, int start, String column, long rowNumber) throws PgException {
        byte[] a = out.array();
        for (int i = start, end = out.size(); i < end; i++) {
            if (a[i] == 0) {
                throw TypeErrors.value(SqlState.CHARACTER_NOT_IN_REPERTOIRE, column, rowNumber,
                        "invalid byte sequence for encoding \"UTF8\": 0x00 (PostgreSQL text cannot hold NUL characters)");
            }
        }
    }

    /**
     * bytea: raw bytes in binary; {@code \x} hex or the escape format in text. From TEXT, the
     * text is read with bytea's input rules.
     */
    static final class ByteaEncoder implements ValueEncoder {
        private final boolean binary;
        private final boolean hex;
        private final String fromTextColumn;
        private final VectorData data = new VectorData();
        private final FieldBuffer parsed;

        /** @param fromTextColumn the column name when the source is TEXT, null when it is BYTES */
        ByteaEncoder(boolean binary, boolean hex, String fromTextColumn) {
            this.binary = binary;
            this.hex = hex;
            this.fromTextColumn = fromTextColumn;
            this.parsed = fromTextColumn == null ? null : new FieldBuffer();
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            ByteBuffer b = data.of(c);
            int from = c.valueOffset(r);
            int length = c.valueLength(r);
            if (fromTextColumn != null) {
                parsed.clear();
                TextParsers.parseBytea(b, from, from + length, parsed, fromTextColumn, n);
                b = parsed.view();
                from = 0;
                length = parsed.size();
            }
            if (binary) {
                out.putBytes(b, from, length);
            } else if (hex) {
                out.ensure(2 + 2 * length);
                out.putByte('\\');
                out.putByte('x');
                for (int i = from, end = from + length; i < end; i++) {
                    int v = b.get(i) & 0xFF;
                    out.putByte(HEX[v >> 4]);
                    out.putByte(HEX[v & 0xF]);
                }
            } else {
                for (int i = from, end = from + length; i < end; i++) {
                    int v = b.get(i) & 0xFF;
                    if (v == '\\') {
                        out.putByte('\\');
                        out.putByte('\\');
                    } else if (v < 0x20 || v > 0x7E) {
                        out.putByte('\\');
                        out.putByte('0' + (v >> 6));
                        out.putByte('0' + ((v >> 3) & 7));
                        out.putByte('0' + (v & 7));
                    } else {
                        out.putByte(v);
                    }
                }
            }
        }
    }

    /** uuid from UUID or from text (uuid_in's rules). */
    static final class UuidEncoder implements ValueEncoder {
        private final boolean binary;
        private final String fromTextColumn;
        private final VectorData data = new VectorData();
        private final long[] halves = new long[2];

        UuidEncoder(boolean binary, String fromTextColumn) {
            this.binary = binary;
            this.fromTextColumn = fromTextColumn;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            long high;
            long low;
            if (fromTextColumn == null) {
                high = c.getUuidMostSignificant(r);
                low = c.getUuidLeastSignificant(r);
            } else {
                ByteBuffer b = data.of(c);
                int from = c.valueOffset(r);
                TextParsers.parseUuid(b, from, from + c.valueLength(r), halves, fromTextColumn, n);
                high = halves[0];
                low = halves[1];
            }
            if (binary) {
                out.putLong(high);
                out.putLong(low);
            } else {
                writeUuid(out, high, low);
            }
        }
    }

    /** json: checked with json_in's rules, then the text as it is (binary is the same text). */
    static final class JsonEncoder implements ValueEncoder {
        private final String column;
        private final VectorData data = new VectorData();

        JsonEncoder(String column) {
            this.column = column;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            ByteBuffer b = data.of(c);
            int from = c.valueOffset(r);
            int to = from + c.valueLength(r);
            try {
                Json.validate(b, from, to);
            } catch (Json.JsonException e) {
                throw invalidJson("json", e, column, n);
            }
            out.putBytes(b, from, to - from);
        }
    }

    /** jsonb: printed as jsonb_out prints it; binary is a version byte (1) and that text. */
    static final class JsonbEncoder implements ValueEncoder {
        private final boolean binary;
        private final String column;
        private final VectorData data = new VectorData();

        JsonbEncoder(boolean binary, String column) {
            this.binary = binary;
            this.column = column;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            ByteBuffer b = data.of(c);
            int from = c.valueOffset(r);
            int start = out.size();
            if (binary) {
                out.putByte(1);
            }
            try {
                Json.writeJsonb(b, from, from + c.valueLength(r), out);
            } catch (Json.JsonException e) {
                out.truncate(start);
                throw invalidJson("jsonb", e, column, n);
            }
        }
    }

    private static PgException invalidJson(String type, Json.JsonException e, String column, long n) {
        if (e.unsupportedEscape) {
            return TypeErrors.value(TypeErrors.UNTRANSLATABLE_CHARACTER, column, n,
                    "unsupported Unicode escape sequence in " + type + ": " + e.getMessage());
        }
        return TypeErrors.value(SqlState.INVALID_TEXT_REPRESENTATION, column, n,
                "invalid input syntax for type " + type + ": " + e.getMessage());
    }

    /**
     * Converts what another encoder wrote (UTF-8) to the client encoding; ASCII passes through.
     * Characters the encoding lacks fail as PostgreSQL's conversion does (22P05).
     */
    static final class ClientEncoding implements ValueEncoder {
        private final ValueEncoder inner;
        private final Charset charset;
        private final String encodingName;
        private final String column;
        private final FieldBuffer scratch = new FieldBuffer();
        private final CharsetEncoder encoder;

        ClientEncoding(ValueEncoder inner, Charset charset, String encodingName, String column) {
            this.inner = inner;
            this.charset = charset;
            this.encodingName = encodingName;
            this.column = column;
            this.encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            scratch.clear();
            inner.encode(c, r, n, scratch);
            byte[] a = scratch.array();
            int size = scratch.size();
            boolean ascii = true;
            for (int i = 0; i < size && ascii; i++) {
                ascii = a[i] >= 0;
            }
            if (ascii) {
                out.putBytes(a, 0, size);
                return;
            }
            String text = new String(a, 0, size, StandardCharsets.UTF_8);
            try {
                ByteBuffer encoded = encoder.reset().encode(CharBuffer.wrap(text));
                out.putBytes(encoded, encoded.position(), encoded.remaining());
            } catch (CharacterCodingException e) {
                int bad = firstUnmappable(text);
                throw TypeErrors.value(TypeErrors.UNTRANSLATABLE_CHARACTER, column, n, "character "
                        + new String(Character.toChars(bad)) + " (U+" + String.format("%04X", bad)
                        + ") in encoding \"UTF8\" has no equivalent in encoding \"" + encodingName + "\"");
            }
        }

        private int firstUnmappable(String text) {
            CharsetEncoder probe = charset.newEncoder();
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                if (!probe.canEncode(new String(Character.toChars(cp)))) {
                    return cp;
                }
                i += Character.charCount(cp);
            }
            return '?';
        }
    }
}
