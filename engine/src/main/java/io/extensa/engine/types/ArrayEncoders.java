package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnVector;

/**
 * Arrays: the wire's flattened elements and optional shapes become PostgreSQL's array text
 * ({@code {1,2,NULL}}, {@code {{1,2},{3,4}}}, elements quoted where array_in needs it) or its
 * binary format (int32 ndim, int32 has-nulls, int32 element OID, per dimension int32 size and
 * int32 lower bound 1, then int32 length (-1 NULL) and bytes per element).
 */
final class ArrayEncoders {

    private ArrayEncoders() {
    }

    /** array_out; the element encoder writes one element's text. */
    static final class Text implements ValueEncoder {
        private final ValueEncoder element;
        private final FieldBuffer scratch = new FieldBuffer();
        private final int[] index = new int[7];

        Text(ValueEncoder element) {
            this.element = element;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            int count = c.valueLength(r);
            if (count == 0) {
                out.putAscii("{}");
                return;
            }
            ColumnVector child = c.child();
            int first = c.valueOffset(r);
            if (!c.hasShapes()) {
                out.putByte('{');
                for (int i = 0; i < count; i++) {
                    if (i > 0) {
                        out.putByte(',');
                    }
                    writeElement(child, first + i, n, out);
                }
                out.putByte('}');
                return;
            }
            int[] dims = c.dimensions(r);
            int ndim = dims.length;
            // walk the elements in row-major order, opening and closing braces as indexes roll over
            for (int d = 0; d < ndim; d++) {
                out.putByte('{');
                index[d] = 0;
            }
            for (int i = 0; i < count; i++) {
                writeElement(child, first + i, n, out);
                int d = ndim - 1;
                while (d >= 0 && ++index[d] == dims[d]) {
                    out.putByte('}');
                    index[d] = 0;
                    d--;
                }
                if (d >= 0) {
                    out.putByte(',');
                    for (int k = d + 1; k < ndim; k++) {
                        out.putByte('{');
                    }
                }
            }
        }

        private void writeElement(ColumnVector child, int i, long n, FieldBuffer out) throws PgException {
            if (ValueEncoder.isNull(element, child, i)) {
                out.putAscii("NULL");
                return;
            }
            scratch.clear();
            element.encode(child, i, n, scratch);
            byte[] a = scratch.array();
            int size = scratch.size();
            boolean quote = size == 0 || isNullWord(a, size);
            for (int k = 0; k < size && !quote; k++) {
                byte b = a[k];
                quote = b == '"' || b == '\\' || b == '{' || b == '}' || b == ',' || b == ' ' || b == '\t'
                        || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
            }
            if (!quote) {
                out.putBytes(a, 0, size);
                return;
            }
            out.putByte('"');
            for (int k = 0; k < size; k++) {
                byte b = a[k];
                if (b == '"' || b == '\\') {
                    out.putByte('\\');
                }
                out.putByte(b);
            }
            out.putByte('"');
        }

        private static boolean isNullWord(byte[] a, int size) {
            return size == 4 && (a[0] | 0x20) == 'n' && (a[1] | 0x20) == 'u' && (a[2] | 0x20) == 'l'
                    && (a[3] | 0x20) == 'l';
        }
    }

    /** array_send; the element encoder writes one element's binary form. */
    static final class Binary implements ValueEncoder {
        private final ValueEncoder element;
        private final int elementOid;

        Binary(ValueEncoder element, int elementOid) {
            this.element = element;
            this.elementOid = elementOid;
        }

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            int count = c.valueLength(r);
            ColumnVector child = c.child();
            int first = c.valueOffset(r);
            if (count == 0) {
                out.putInt(0);
                out.putInt(0);
                out.putInt(elementOid);
                return;
            }
            boolean hasNull = false;
            for (int i = 0; i < count && !hasNull; i++) {
                hasNull = ValueEncoder.isNull(element, child, first + i);
            }
            if (c.hasShapes()) {
                int[] dims = c.dimensions(r);
                out.putInt(dims.length);
                out.putInt(hasNull ? 1 : 0);
                out.putInt(elementOid);
                for (int d : dims) {
                    out.putInt(d);
                    out.putInt(1);
                }
            } else {
                out.putInt(1);
                out.putInt(hasNull ? 1 : 0);
                out.putInt(elementOid);
                out.putInt(count);
                out.putInt(1);
            }
            for (int i = 0; i < count; i++) {
                if (ValueEncoder.isNull(element, child, first + i)) {
                    out.putInt(-1);
                    continue;
                }
                int lengthAt = out.size();
                out.putInt(0);
                element.encode(child, first + i, n, out);
                out.setInt(lengthAt, out.size() - lengthAt - 4);
            }
        }
    }
}
