package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;

import java.nio.ByteBuffer;

/**
 * Encoders for boolean, smallint, integer, bigint, oid, real, double precision and numeric
 * targets, from every wire type that converts to them. Integer and float values are written
 * without allocating.
 */
final class NumberEncoders {

    private NumberEncoders() {
    }

    /** Reads a wire value as an integer, exactly (or fails). */
    interface LongReader {
        long read(ColumnVector column, int row, long rowNumber) throws PgException;
    }

    /** Reads a wire value as a double. */
    interface DoubleReader {
        double read(ColumnVector column, int row, long rowNumber) throws PgException;
    }

    /** Reads a wire value into an exact decimal. */
    interface DecimalReader {
        void read(ColumnVector column, int row, long rowNumber, DecimalValue into) throws PgException;
    }

    // ---- readers ----

    /** @return null when the source type does not convert to an integer */
    static LongReader longReader(ColumnType source, String targetName, EncoderContext ctx) {
        String column = ctx.column();
        return switch (source) {
            case BOOL -> (c, r, n) -> c.getBoolean(r) ? 1 : 0;
            case INT16 -> (c, r, n) -> c.getShort(r);
            case INT32 -> (c, r, n) -> c.getInt(r);
            case INT64 -> (c, r, n) -> c.getLong(r);
            case FLOAT32 -> (c, r, n) -> integral(c.getFloat(r), targetName, column, n);
            case FLOAT64 -> (c, r, n) -> integral(c.getDouble(r), targetName, column, n);
            case DECIMAL -> new DecimalToLong(targetName, column);
            case TEXT -> new TextToLong(targetName, column);
            default -> null;
        };
    }

    private static long integral(double value, String targetName, String column, long rowNumber) throws PgException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw TypeErrors.outOfRange(column, rowNumber, "cannot convert " + floatName(value) + " to " + targetName);
        }
        if (value != Math.rint(value)) {
            throw TypeErrors.outOfRange(column, rowNumber, "value " + new FloatText().toText(value)
                    + " is not an integer, so type " + targetName + " cannot hold it exactly");
        }
        if (value < -0x1p63 || value >= 0x1p63) {
            throw TypeErrors.outOfRange(column, rowNumber, "value " + new FloatText().toText(value)
                    + " is out of range for type " + targetName);
        }
        return (long) value;
    }

    private static String floatName(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "infinity" : "-infinity";
    }

    private static final class DecimalToLong implements LongReader {
        private final String targetName;
        private final String column;
        private final DecimalValue decimal = new DecimalValue();
        private final VectorData data = new VectorData();

        DecimalToLong(String targetName, String column) {
            this.targetName = targetName;
            this.column = column;
        }

        @Override
        public long read(ColumnVector c, int r, long n) throws PgException {
            ByteBuffer b = data.of(c);
            int from = c.valueOffset(r);
            int to = from + c.valueLength(r);
            if (decimal.parse(b, from, to) == DecimalValue.ParseResult.SYNTAX) {
                throw TextParsers.syntax(column, n, "numeric", b, from, to);
            }
            if (!decimal.isFinite()) {
                throw TypeErrors.outOfRange(column, n, "cannot convert " + decimal + " to " + targetName);
            }
            if (!decimal.isIntegral()) {
                throw TypeErrors.outOfRange(column, n, "value " + decimal + " is not an integer, so type " + targetName
                        + " cannot hold it exactly");
            }
            if (!decimal.fitsLong()) {
                throw TypeErrors.outOfRange(column, n, "value " + decimal + " is out of range for type " + targetName);
            }
            return decimal.toLong();
        }
    }

    private static final class TextToLong implements LongReader {
        private final String targetName;
        private final String column;
        private final VectorData data = new VectorData();

        TextToLong(String targetName, String column) {
            this.targetName = targetName;
            this.column = column;
        }

        @Override
        public long read(ColumnVector c, int r, long n) throws PgException {
            ByteBuffer b = data.of(c);
            int from = c.valueOffset(r);
            int to = from + c.valueLength(r);
            if (targetName.equals("boolean")) {
                return TextParsers.parseBoolean(b, from, to, column, n) ? 1 : 0;
            }
            return TextParsers.parseInteger(b, from, to, Long.MIN_VALUE, Long.MAX_VALUE, targetName, column, n);
        }
    }

    /** @return null when the source type does not convert to a float */
    static DoubleReader doubleReader(ColumnType source, boolean single, EncoderContext ctx) {
        String column = ctx.column();
        return switch (source) {
            case INT16 -> (c, r, n) -> c.getShort(r);
            case INT32 -> (c, r, n) -> c.getInt(r);
            case INT64 -> (c, r, n) -> c.getLong(r);
            case FLOAT32 -> (c, r, n) -> c.getFloat(r);
            case FLOAT64 -> (c, r, n) -> c.getDouble(r);
            case DECIMAL -> new DoubleReader() {
                private final DecimalValue decimal = new DecimalValue();
                private final VectorData data = new VectorData();

                @Override
                public double read(ColumnVector c, int r, long n) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    int to = from + c.valueLength(r);
                    if (decimal.parse(b, from, to) == DecimalValue.ParseResult.SYNTAX) {
                        throw TextParsers.syntax(column, n, "numeric", b, from, to);
                    }
                    double value = decimal.toDouble();
                    if (decimal.isFinite() && (Double.isInfinite(value) || value == 0 && !decimal.isZero())) {
                        throw TypeErrors.outOfRange(column, n, "value " + decimal + " is out of range for type "
                                + (single ? "real" : "double precision"));
                    }
                    return value;
                }
            };
            case TEXT -> new DoubleReader() {
                private final VectorData data = new VectorData();

                @Override
                public double read(ColumnVector c, int r, long n) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    return TextParsers.parseFloat(b, from, from + c.valueLength(r), single, column, n);
                }
            };
            default -> null;
        };
    }

    /** @return null when the source type does not convert to numeric */
    static DecimalReader decimalReader(ColumnType source, EncoderContext ctx) {
        String column = ctx.column();
        return switch (source) {
            case INT16 -> (c, r, n, d) -> d.setLong(c.getShort(r));
            case INT32 -> (c, r, n, d) -> d.setLong(c.getInt(r));
            case INT64 -> (c, r, n, d) -> d.setLong(c.getLong(r));
            case FLOAT32 -> (c, r, n, d) -> d.setFloat(c.getFloat(r));
            case FLOAT64 -> (c, r, n, d) -> d.setDouble(c.getDouble(r));
            case DECIMAL, TEXT -> new DecimalReader() {
                private final VectorData data = new VectorData();

                @Override
                public void read(ColumnVector c, int r, long n, DecimalValue d) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    int to = from + c.valueLength(r);
                    switch (d.parse(b, from, to)) {
                        case SYNTAX -> throw TextParsers.syntax(column, n, "numeric", b, from, to);
                        case OVERFLOW -> throw TypeErrors.outOfRange(column, n, "value overflows numeric format: "
                                + TypeErrors.show(TextParsers.text(b, from, to)));
                        default -> {
                        }
                    }
                }
            };
            default -> null;
        };
    }

    // ---- encoders ----

    /** A float NaN, where the target has no NaN and takes it for pandas' missing value. */
    static boolean missingFloat(ColumnType source, ColumnVector c, int r) {
        return source == ColumnType.FLOAT64 ? Double.isNaN(c.getDouble(r))
                : source == ColumnType.FLOAT32 && Float.isNaN(c.getFloat(r));
    }

    /** boolean: t/f in text, one byte in binary; integers must be 0 or 1. */
    record BoolEncoder(LongReader reader, boolean binary, String column) implements ValueEncoder {
        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            long v = reader.read(c, r, n);
            if (v != 0 && v != 1) {
                throw TypeErrors.outOfRange(column, n, "value " + v + " is not 0 or 1, so type boolean cannot hold it");
            }
            if (binary) {
                out.putByte((int) v);
            } else {
                out.putByte(v == 1 ? 't' : 'f');
            }
        }
    }

    /** smallint, integer, bigint and oid (an unsigned int32 on the wire). */
    record IntegerEncoder(ColumnType source, LongReader reader, long min, long max, String typeName, int width,
                          boolean binary, String column) implements ValueEncoder {
        @Override
        public boolean writesNull(ColumnVector c, int r) {
            return missingFloat(source, c, r);
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            long v = reader.read(c, r, n);
            if (v < min || v > max) {
                throw TypeErrors.outOfRange(column, n, "value " + v + " is out of range for type " + typeName);
            }
            if (!binary) {
                out.putDecimal(v);
            } else if (width == 2) {
                out.putShort((short) v);
            } else if (width == 4) {
                out.putInt((int) v);
            } else {
                out.putLong(v);
            }
        }
    }

    /** real and double precision; narrowing to real fails on overflow and on underflow to zero. */
    static final class FloatEncoder implements ValueEncoder {
        private final DoubleReader reader;
        private final boolean single;
        private final boolean binary;
        private final int extraFloatDigits;
        private final String column;
        private final FloatText text = new FloatText();

        FloatEncoder(DoubleReader reader, boolean single, boolean binary, int extraFloatDigits, String column) {
            this.reader = reader;
            this.single = single;
            this.binary = binary;
            this.extraFloatDigits = extraFloatDigits;
            this.column = column;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            double v = reader.read(c, r, n);
            if (single) {
                float f = (float) v;
                if (Float.isInfinite(f) && !Double.isInfinite(v)) {
                    throw TypeErrors.outOfRange(column, n, "value " + text.toText(v)
                            + " is out of range for type real (overflow)");
                }
                if (f == 0 && v != 0) {
                    throw TypeErrors.outOfRange(column, n, "value " + text.toText(v)
                            + " is out of range for type real (underflow)");
                }
                if (binary) {
                    out.putInt(Float.floatToRawIntBits(f));
                } else {
                    text.writeFloat(out, f, extraFloatDigits);
                }
            } else if (binary) {
                out.putLong(Double.doubleToRawLongBits(v));
            } else {
                text.writeDouble(out, v, extraFloatDigits);
            }
        }
    }

    /** numeric, rounded to the declared scale and checked against the declared precision. */
    static final class NumericEncoder implements ValueEncoder {
        private final DecimalReader reader;
        private final int precision;
        private final int scale;
        private final boolean binary;
        private final String column;
        private final DecimalValue value = new DecimalValue();

        /** @param typmod the numeric(p,s) modifier, -1 for unconstrained */
        NumericEncoder(DecimalReader reader, int typmod, boolean binary, String column) {
            this.reader = reader;
            this.precision = typmod >= TypeNames.VARHDRSZ ? TypeNames.numericPrecision(typmod) : -1;
            this.scale = typmod >= TypeNames.VARHDRSZ ? TypeNames.numericScale(typmod) : 0;
            this.binary = binary;
            this.column = column;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            reader.read(c, r, n, value);
            if (precision >= 0) {
                applyTypmod(n);
            } else if (!value.withinLimits()) {
                throw TypeErrors.outOfRange(column, n, "value overflows numeric format");
            }
            if (binary) {
                value.writeBinary(out);
            } else {
                value.writeText(out);
            }
        }

        /** PostgreSQL's apply_typmod: round to the scale, then the integer digits must fit. */
        private void applyTypmod(long n) throws PgException {
            if (value.kind() == DecimalValue.Kind.NAN) {
                return;
            }
            if (!value.isFinite()) {
                throw TypeErrors.outOfRange(column, n, "numeric field overflow: a field with precision " + precision
                        + ", scale " + scale + " cannot hold an infinite value");
            }
            int maxDigits = precision - scale;
            if (!value.isZero() && value.integerDigits() > maxDigits) {
                throw fieldOverflow(n, maxDigits, value.toString());
            }
            value.round(scale);
            if (!value.isZero() && value.integerDigits() > maxDigits) {
                throw fieldOverflow(n, maxDigits, value + " after rounding");
            }
        }

        private PgException fieldOverflow(long n, int maxDigits, String shown) {
            return TypeErrors.outOfRange(column, n, "numeric field overflow: a field with precision " + precision
                    + ", scale " + scale + " must round to an absolute value less than 10^" + maxDigits + " (value "
                    + shown + ")");
        }
    }
}
