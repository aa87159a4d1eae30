package io.extensa.pgwire.message;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the body of one protocol message (big-endian). Every read is bounds-checked and a
 * malformed body becomes a protocol-violation {@link PgException}, never an unchecked exception.
 */
public final class MessageReader {

    private final ByteBuffer body;
    private final char type;

    public MessageReader(char type, ByteBuffer body) {
        this.type = type;
        this.body = body.slice().order(ByteOrder.BIG_ENDIAN);
    }

    public int remaining() {
        return body.remaining();
    }

    public int readByte() throws PgException {
        need(1);
        return Byte.toUnsignedInt(body.get());
    }

    public short readShort() throws PgException {
        need(2);
        return body.getShort();
    }

    public int readInt() throws PgException {
        need(4);
        return body.getInt();
    }

    public byte[] readBytes(int n) throws PgException {
        if (n < 0) {
            throw malformed("negative length " + n);
        }
        need(n);
        byte[] b = new byte[n];
        body.get(b);
        return b;
    }

    public ByteBuffer slice(int n) throws PgException {
        need(n);
        ByteBuffer s = body.slice(body.position(), n);
        body.position(body.position() + n);
        return s;
    }

    /** A NUL-terminated string, decoded as UTF-8. */
    public String readCString() throws PgException {
        int start = body.position();
        int limit = body.limit();
        for (int i = start; i < limit; i++) {
            if (body.get(i) == 0) {
                byte[] b = new byte[i - start];
                body.get(b);
                body.get();
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw malformed("unterminated string");
    }

    /** The raw bytes of a NUL-terminated string, without the terminator. */
    public ByteBuffer readCStringBytes() throws PgException {
        int start = body.position();
        int limit = body.limit();
        for (int i = start; i < limit; i++) {
            if (body.get(i) == 0) {
                ByteBuffer s = body.slice(start, i - start);
                body.position(i + 1);
                return s;
            }
        }
        throw malformed("unterminated string");
    }

    /** Body of ErrorResponse / NoticeResponse: (byte code, String value)*, 0. */
    public ErrorFields readErrorFields() throws PgException {
        Map<Character, String> m = new LinkedHashMap<>();
        while (true) {
            int code = readByte();
            if (code == 0) {
                return new ErrorFields(m);
            }
            m.put((char) code, readCString());
        }
    }

    /** Body of RowDescription. */
    public List<ColumnDescriptor> readRowDescription() throws PgException {
        int n = Short.toUnsignedInt(readShort());
        List<ColumnDescriptor> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = readCString();
            int table = readInt();
            int column = readShort();
            int typeOid = readInt();
            int size = readShort();
            int modifier = readInt();
            readShort();
            columns.add(new ColumnDescriptor(name, table, column, typeOid, size, modifier));
        }
        return columns;
    }

    /** Body of ParameterDescription. */
    public int[] readParameterDescription() throws PgException {
        int n = Short.toUnsignedInt(readShort());
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = readInt();
        }
        return types;
    }

    private void need(int n) throws PgException {
        if (body.remaining() < n) {
            throw malformed("truncated (" + n + " bytes needed, " + body.remaining() + " left)");
        }
    }

    private PgException malformed(String what) {
        return new PgException(SqlState.PROTOCOL_VIOLATION, "malformed '" + type + "' message: " + what);
    }
}
