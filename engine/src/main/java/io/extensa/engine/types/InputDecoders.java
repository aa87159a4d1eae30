package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ArrayColumnBuilder;
import io.extensa.protocol.batch.ColumnBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * The decoders from PostgreSQL's binary format (the bytes of PostgreSQL's send functions) to
 * wire values. Numeric and date/time values are read in place; text is copied once, straight
 * into the column.
 */
final class InputDecoders {

    private InputDecoders() {
    }

    private static PgException wrongLength(String column, String type, int expected, int length) {
        return TypeErrors.badBinary(column, "a binary " + type + " has " + expected + " bytes, got " + length);
    }

    record Bool(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 1) {
                throw wrongLength(column, "boolean", 1, length);
            }
            target.appendBoolean(s.get(offset) != 0);
        }
    }

    record Int2(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 2) {
                throw wrongLength(column, "smallint", 2, length);
            }
            target.appendShort(s.getShort(offset));
        }
    }

    record Int4(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 4) {
                throw wrongLength(column, "integer", 4, length);
            }
            target.appendInt(s.getInt(offset));
        }
    }

    record Int8(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 8) {
                throw wrongLength(column, "bigint", 8, length);
            }
            target.appendLong(s.getLong(offset));
        }
    }

    /** oid is an unsigned 32-bit number: widened to INT64. */
    record Oid(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 4) {
                throw wrongLength(column, "oid", 4, length);
            }
            target.appendLong(Integer.toUnsignedLong(s.getInt(offset)));
        }
    }

    record Float4(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 4) {
                throw wrongLength(column, "real", 4, length);
            }
            target.appendFloat(Float.intBitsToFloat(s.getInt(offset)));
        }
    }

    record Float8(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 8) {
                throw wrongLength(column, "double precision", 8, length);
            }
            target.appendDouble(Double.longBitsToDouble(s.getLong(offset)));
        }
    }

    /** date: days since 2000-01-01 become days since 1970-01-01; the infinities map to the wire's. */
    record Date(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 4) {
                throw wrongLength(column, "date", 4, length);
            }
            int days = s.getInt(offset);
            if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
                target.appendInt(days);
            } else {
                target.appendInt(days + DateTimeText.EPOCH_SHIFT_DAYS);
            }
        }
    }

    /**
     * timestamp and timestamptz: microseconds since 2000-01-01 become microseconds since 1970.
     * The wire's int64 ends in year 294247, a little before PostgreSQL's range does.
     */
    record Timestamp(String column, boolean withZone) implements BinaryDecoder {
        private static final long LAST_WIRE_MICROS = Long.MAX_VALUE - 1 - DateTimeText.EPOCH_SHIFT_MICROS;

        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 8) {
                throw wrongLength(column, withZone ? "timestamp with time zone" : "timestamp", 8, length);
            }
            long micros = s.getLong(offset);
            if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                target.appendLong(micros);
            } else if (micros > LAST_WIRE_MICROS) {
                FieldBuffer text = new FieldBuffer(40);
                DateTimeText.writeTimestamp(text, micros, SessionSettings.DateStyle.ISO,
                        SessionSettings.DateOrder.YMD);
                throw new PgException(SqlState.DATETIME_FIELD_OVERFLOW, TypeErrors.where(column, 0)
                        + "timestamp " + text + " is beyond the year 294246 that scripts can receive; cast it, e.g. "
                        + TypeErrors.columnReference(column) + "::text");
            } else {
                target.appendLong(micros + DateTimeText.EPOCH_SHIFT_MICROS);
            }
        }
    }

    record Time(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 8) {
                throw wrongLength(column, "time", 8, length);
            }
            target.appendLong(s.getLong(offset));
        }
    }

    /** interval: int64 microseconds, int32 days, int32 months, the same order as the wire. */
    record Interval(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 16) {
                throw wrongLength(column, "interval", 16, length);
            }
            target.appendInterval(s.getLong(offset), s.getInt(offset + 8), s.getInt(offset + 12));
        }
    }

    record Uuid(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length != 16) {
                throw wrongLength(column, "uuid", 16, length);
            }
            target.appendUuid(s.getLong(offset), s.getLong(offset + 8));
        }
    }

    record Bytea(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) {
            Bytes.append(s, offset, length, target);
        }
    }

    /** Copies bytes into a builder straight from the backing array when there is one. */
    static final class Bytes {
        private Bytes() {
        }

        static void append(ByteBuffer s, int offset, int length, ColumnBuilder target) {
            if (s.hasArray()) {
                target.appendBytes(s.array(), s.arrayOffset() + offset, length);
            } else {
                target.appendBytes(s.slice(offset, length));
            }
        }
    }

    /**
     * Text in the client encoding: UTF8 is copied as is; SQL_ASCII is checked to be UTF-8 (PostgreSQL
     * does not convert it); any other encoding is converted.
     */
    static final class Text implements BinaryDecoder {
        private final String column;
        private final Charset charset;
        private final boolean validate;
        private final int skip;

        /**
         * @param charset null when the bytes are UTF-8 already
         * @param validate check UTF-8 (SQL_ASCII clients)
         * @param skip leading bytes to drop (jsonb's version byte)
         */
        Text(String column, Charset charset, boolean validate, int skip) {
            this.column = column;
            this.charset = charset;
            this.validate = validate;
            this.skip = skip;
        }

        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (skip == 1) {
                if (length < 1 || s.get(offset) != 1) {
                    throw TypeErrors.badBinary(column, "unsupported jsonb version "
                            + (length < 1 ? "(empty)" : Integer.toString(s.get(offset))));
                }
            }
            offset += skip;
            length -= skip;
            if (charset != null) {
                byte[] bytes = new byte[length];
                s.get(offset, bytes);
                target.appendUtf8(new String(bytes, charset));
                return;
            }
            if (validate && !Utf8Check.isValid(s, offset, offset + length)) {
                throw new PgException(SqlState.CHARACTER_NOT_IN_REPERTOIRE, TypeErrors.where(column, 0)
                        + "text that is not valid UTF-8 (client_encoding SQL_ASCII); set client_encoding to the "
                        + "data's encoding");
            }
            Bytes.append(s, offset, length, target);
        }
    }

    /** The one-byte "char" type, shown as PostgreSQL's charout shows it (octal escape above 127). */
    record InternalChar(String column) implements BinaryDecoder {
        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length > 1) {
                throw wrongLength(column, "\"char\"", 1, length);
            }
            int c = length == 0 ? 0 : s.get(offset) & 0xFF;
            if (c == 0) {
                target.appendBytes(new byte[0], 0, 0);
            } else if (c < 128) {
                target.appendUtf8(Character.toString(c));
            } else {
                target.appendUtf8("\\" + (c >> 6) + ((c >> 3) & 7) + (c & 7));
            }
        }
    }

    /**
     * numeric: int16 ndigits, int16 weight, int16 sign, int16 dscale, base-10000 digits; written
     * as numeric_out text (DECIMAL on the wire) without allocating.
     */
    static final class Numeric implements BinaryDecoder {
        private static final byte[] NAN = {'N', 'a', 'N'};
        private static final byte[] INFINITY = {'I', 'n', 'f', 'i', 'n', 'i', 't', 'y'};
        private static final byte[] NEGATIVE_INFINITY = {'-', 'I', 'n', 'f', 'i', 'n', 'i', 't', 'y'};

        /** "0000" to "9999": a base-10000 digit's text, four bytes each */
        private static final byte[] FOUR_DIGITS = fourDigits();

        private final String column;
        private byte[] text = new byte[64];

        private static byte[] fourDigits() {
            byte[] table = new byte[40000];
            for (int d = 0; d < 10000; d++) {
                table[4 * d] = (byte) ('0' + d / 1000);
                table[4 * d + 1] = (byte) ('0' + d / 100 % 10);
                table[4 * d + 2] = (byte) ('0' + d / 10 % 10);
                table[4 * d + 3] = (byte) ('0' + d % 10);
            }
            return table;
        }

        Numeric(String column) {
            this.column = column;
        }

        @Override
        public BinaryDecoder forAnotherThread() {
            return new Numeric(column);
        }

        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            if (length < 8) {
                throw TypeErrors.badBinary(column, "a binary numeric has at least 8 bytes, got " + length);
            }
            int ndigits = s.getShort(offset) & 0xFFFF;
            int weight = s.getShort(offset + 2);
            int sign = s.getShort(offset + 4) & 0xFFFF;
            int dscale = s.getShort(offset + 6) & 0xFFFF;
            if (length != 8 + 2 * ndigits) {
                throw TypeErrors.badBinary(column, "numeric with " + ndigits + " digits in " + length + " bytes");
            }
            switch (sign) {
                case 0xC000 -> {
                    target.appendBytes(NAN, 0, NAN.length);
                    return;
                }
                case 0xD000 -> {
                    target.appendBytes(INFINITY, 0, INFINITY.length);
                    return;
                }
                case 0xF000 -> {
                    target.appendBytes(NEGATIVE_INFINITY, 0, NEGATIVE_INFINITY.length);
                    return;
                }
                case 0x0000, 0x4000 -> {
                    // finite
                }
                default -> throw TypeErrors.badBinary(column, "invalid numeric sign 0x" + Integer.toHexString(sign));
            }
            if (dscale > DecimalValue.MAX_DISPLAY_SCALE) {
                throw TypeErrors.badBinary(column, "invalid numeric scale " + dscale);
            }
            int integerGroups = Math.max(weight + 1, 1);
            int capacity = 1 + integerGroups * 4 + 1 + dscale + 8;
            if (text.length < capacity) {
                text = new byte[Math.max(capacity, text.length * 2)];
            }
            byte[] t = text;
            int n = 0;
            if (sign == 0x4000 && ndigits > 0) {
                t[n++] = '-';
            }
            int digitBase = offset + 8;
            if (weight < 0 || ndigits == 0) {
                t[n++] = '0';
            } else {
                for (int g = 0; g <= weight; g++) {
                    int digit = g < ndigits ? s.getShort(digitBase + 2 * g) : 0;
                    if (digit < 0 || digit > 9999) {
                        throw TypeErrors.badBinary(column, "invalid numeric digit " + digit);
                    }
                    if (g == 0) {
                        n = putFirstGroup(t, n, digit);
                    } else {
                        n = putGroup(t, n, digit);
                    }
                }
            }
            if (dscale > 0) {
                t[n++] = '.';
                int written = 0;
                for (int g = weight + 1; written < dscale; g++) {
                    int digit = g >= 0 && g < ndigits ? s.getShort(digitBase + 2 * g) : 0;
                    if (digit < 0 || digit > 9999) {
                        throw TypeErrors.badBinary(column, "invalid numeric digit " + digit);
                    }
                    // all four digits (constant divisors are cheap), then keep what the scale shows
                    int keep = Math.min(4, dscale - written);
                    putGroup(t, n, digit);
                    n += keep;
                    written += keep;
                }
            }
            target.appendBytes(t, 0, n);
        }

        private static int putFirstGroup(byte[] t, int n, int digit) {
            if (digit >= 1000) {
                t[n++] = (byte) ('0' + digit / 1000);
            }
            if (digit >= 100) {
                t[n++] = (byte) ('0' + digit / 100 % 10);
            }
            if (digit >= 10) {
                t[n++] = (byte) ('0' + digit / 10 % 10);
            }
            t[n++] = (byte) ('0' + digit % 10);
            return n;
        }

        private static int putGroup(byte[] t, int n, int digit) {
            int i = digit << 2;
            t[n] = FOUR_DIGITS[i];
            t[n + 1] = FOUR_DIGITS[i + 1];
            t[n + 2] = FOUR_DIGITS[i + 2];
            t[n + 3] = FOUR_DIGITS[i + 3];
            return n + 4;
        }
    }

    /**
     * Arrays: int32 ndim, int32 has-nulls flag, int32 element OID, per dimension int32 size and
     * int32 lower bound, then each element as int32 length (-1 NULL) and bytes, in row-major
     * order. Lower bounds are dropped: every array reaches the script 0-based.
     */
    static final class Array implements BinaryDecoder {
        private static final int MAX_DIMENSIONS = 6;

        private final String column;
        private final BinaryDecoder element;
        private final int[][] shapes = new int[MAX_DIMENSIONS + 1][];

        Array(String column, BinaryDecoder element) {
            this.column = column;
            this.element = element;
            for (int d = 0; d <= MAX_DIMENSIONS; d++) {
                shapes[d] = new int[d];
            }
        }

        @Override
        public BinaryDecoder forAnotherThread() {
            return new Array(column, element.forAnotherThread());
        }

        @Override
        public void decode(ByteBuffer s, int offset, int length, ColumnBuilder target) throws PgException {
            ArrayColumnBuilder array = (ArrayColumnBuilder) target;
            int end = offset + length;
            if (length < 12) {
                throw TypeErrors.badBinary(column, "array header too short");
            }
            int ndim = s.getInt(offset);
            if (ndim < 0 || ndim > MAX_DIMENSIONS) {
                throw TypeErrors.badBinary(column, "invalid number of array dimensions " + ndim);
            }
            int pos = offset + 12;
            if (end - pos < 8 * ndim) {
                throw TypeErrors.badBinary(column, "array dimensions truncated");
            }
            int[] shape = shapes[ndim];
            long elements = ndim == 0 ? 0 : 1;
            for (int d = 0; d < ndim; d++) {
                int size = s.getInt(pos);
                if (size < 0) {
                    throw TypeErrors.badBinary(column, "negative array dimension " + size);
                }
                shape[d] = size;
                elements *= size;
                if (elements > Integer.MAX_VALUE) {
                    throw TypeErrors.badBinary(column, "array too large");
                }
                pos += 8;
            }
            ColumnBuilder child = array.child();
            for (long i = 0; i < elements; i++) {
                if (end - pos < 4) {
                    throw TypeErrors.badBinary(column, "array elements truncated");
                }
                int elementLength = s.getInt(pos);
                pos += 4;
                if (elementLength == -1) {
                    child.appendNull();
                    continue;
                }
                if (elementLength < 0 || elementLength > end - pos) {
                    throw TypeErrors.badBinary(column, "invalid array element length " + elementLength);
                }
                element.decode(s, pos, elementLength, child);
                pos += elementLength;
            }
            if (pos != end) {
                throw TypeErrors.badBinary(column, (end - pos) + " bytes after the last array element");
            }
            if (elements == 0) {
                array.endArray();
            } else if (ndim == 1) {
                array.endArray(shape[0]);
            } else {
                array.endArray(shape);
            }
        }
    }
}
