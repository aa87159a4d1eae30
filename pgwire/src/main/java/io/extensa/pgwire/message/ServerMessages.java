package io.extensa.pgwire.message;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.TransactionStatus;
import java.util.List;
import java.util.Map;

/** Encoders for the backend messages the gateway sends itself; one method per message. */
public final class ServerMessages {

    private ServerMessages() {
    }

    /** 'Z' int32 len, byte status. */
    public static void readyForQuery(PgBuffer out, TransactionStatus status) {
        out.begin('Z').put(status.code()).end();
    }

    /** 'C' int32 len, String tag. */
    public static void commandComplete(PgBuffer out, String tag) {
        out.begin('C').putCString(tag).end();
    }

    /** 'E' int32 len, then (byte code, String value)* and a terminating 0. */
    public static void errorResponse(PgBuffer out, ErrorFields fields) {
        fieldsMessage(out, 'E', fields);
    }

    /** 'N' int32 len, same body as ErrorResponse. */
    public static void noticeResponse(PgBuffer out, ErrorFields fields) {
        fieldsMessage(out, 'N', fields);
    }

    private static void fieldsMessage(PgBuffer out, char type, ErrorFields fields) {
        out.begin(type);
        for (Map.Entry<Character, String> e : fields.values().entrySet()) {
            if (e.getValue() != null) {
                out.put(e.getKey()).putCString(stripNul(e.getValue()));
            }
        }
        out.put(0).end();
    }

    /**
     * 'T' int32 len, int16 count, then per column: String name, int32 table oid, int16 column
     * number, int32 type oid, int16 type size, int32 type modifier, int16 format code.
     */
    public static void rowDescription(PgBuffer out, List<ColumnDescriptor> columns, short[] formats) {
        out.begin('T').putShort(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnDescriptor c = columns.get(i);
            out.putCString(stripNul(c.name()))
                    .putInt(c.tableOid())
                    .putShort(c.columnNumber())
                    .putInt(c.typeOid())
                    .putShort(c.typeSize())
                    .putInt(c.typeModifier())
                    .putShort(formatOf(formats, i));
        }
        out.end();
    }

    /** 't' int32 len, int16 count, int32 type oid per parameter. */
    public static void parameterDescription(PgBuffer out, int[] types) {
        out.begin('t').putShort(types.length);
        for (int t : types) {
            out.putInt(t);
        }
        out.end();
    }

    /** '1' ParseComplete. */
    public static void parseComplete(PgBuffer out) {
        out.begin('1').end();
    }

    /** '2' BindComplete. */
    public static void bindComplete(PgBuffer out) {
        out.begin('2').end();
    }

    /** '3' CloseComplete. */
    public static void closeComplete(PgBuffer out) {
        out.begin('3').end();
    }

    /** 'n' NoData. */
    public static void noData(PgBuffer out) {
        out.begin('n').end();
    }

    /** 's' PortalSuspended. */
    public static void portalSuspended(PgBuffer out) {
        out.begin('s').end();
    }

    /** 'I' EmptyQueryResponse. */
    public static void emptyQueryResponse(PgBuffer out) {
        out.begin('I').end();
    }

    /** 'K' int32 len 12, int32 process id, int32 secret key. */
    public static void backendKeyData(PgBuffer out, int pid, int key) {
        out.begin('K').putInt(pid).putInt(key).end();
    }

    /**
     * The format code of column {@code i} under Bind's rules: no codes = all text, one code =
     * applies to all, else one per column.
     */
    public static short formatOf(short[] formats, int i) {
        if (formats == null || formats.length == 0) {
            return 0;
        }
        return formats.length == 1 ? formats[0] : formats[i];
    }

    private static String stripNul(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace('\0', ' ');
    }
}
