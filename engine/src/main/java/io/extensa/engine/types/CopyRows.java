package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnVector;

/**
 * Builds the data of {@code COPY table FROM STDIN} for INSERT ... EXEC, in binary format
 * (values from {@link ValueEncoder}s in format 1) or text format (format 0, needed as soon as
 * one column {@link OutputColumnPlan#needsServerCast() needs a server cast}).
 * <pre>
 *  binary: header "PGCOPY\n\377\r\n\0", int32 flags 0, int32 extension length 0;
 *          per row int16 field count, per field int32 length (-1 NULL) and bytes; trailer int16 -1
 *  text:   fields separated by a tab, rows ended by a newline, NULL as \N, and backslash,
 *          tab, newline and carriage return inside values escaped with a backslash
 * </pre>
 */
public final class CopyRows {

    private CopyRows() {
    }

    public static void binaryHeader(FieldBuffer out) {
        out.putBytes(CopyBinaryReader.SIGNATURE);
        out.putInt(0);
        out.putInt(0);
    }

    public static void binaryTrailer(FieldBuffer out) {
        out.putShort(-1);
    }

    public static void binaryRowStart(FieldBuffer out, int fieldCount) {
        out.putShort(fieldCount);
    }

    /** One field: -1 for NULL, else its length and the encoder's bytes. */
    public static void binaryField(FieldBuffer out, ValueEncoder encoder, ColumnVector column, int row, long rowNumber)
            throws PgException {
        if (ValueEncoder.isNull(encoder, column, row)) {
            out.putInt(-1);
            return;
        }
        int lengthAt = out.size();
        out.putInt(0);
        encoder.encode(column, row, rowNumber, out);
        out.setInt(lengthAt, out.size() - lengthAt - 4);
    }

    /**
     * One text-format field, after a tab unless it is the row's first; the encoder writes into
     * {@code scratch}, which is then escaped into {@code out}.
     */
    public static void textField(FieldBuffer out, FieldBuffer scratch, boolean first, ValueEncoder encoder,
                                 ColumnVector column, int row, long rowNumber) throws PgException {
        if (!first) {
            out.putByte('\t');
        }
        if (ValueEncoder.isNull(encoder, column, row)) {
            out.putByte('\\');
            out.putByte('N');
            return;
        }
        scratch.clear();
        encoder.encode(column, row, rowNumber, scratch);
        byte[] a = scratch.array();
        int size = scratch.size();
        out.ensure(size);
        for (int i = 0; i < size; i++) {
            byte b = a[i];
            switch (b) {
                case '\\' -> {
                    out.putByte('\\');
                    out.putByte('\\');
                }
                case '\t' -> {
                    out.putByte('\\');
                    out.putByte('t');
                }
                case '\n' -> {
                    out.putByte('\\');
                    out.putByte('n');
                }
                case '\r' -> {
                    out.putByte('\\');
                    out.putByte('r');
                }
                default -> out.putByte(b);
            }
        }
    }

    public static void textRowEnd(FieldBuffer out) {
        out.putByte('\n');
    }
}
