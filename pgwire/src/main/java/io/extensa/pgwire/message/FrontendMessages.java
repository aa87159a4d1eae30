package io.extensa.pgwire.message;

import io.extensa.pgwire.intercept.BindValue;
import java.util.List;
import java.util.Map;

/** Encoders for the frontend messages the gateway sends to PostgreSQL on its own account. */
public final class FrontendMessages {

    public static final int PROTOCOL_3_0 = 196608;
    public static final int CANCEL_REQUEST_CODE = 80877102;
    public static final int SSL_REQUEST_CODE = 80877103;
    public static final int GSSENC_REQUEST_CODE = 80877104;

    private FrontendMessages() {
    }

    /** int32 len, int32 196608, (String name, String value)*, 0. */
    public static void startup(PgBuffer out, Map<String, String> parameters) {
        out.beginUntyped().putInt(PROTOCOL_3_0);
        parameters.forEach((k, v) -> out.putCString(k).putCString(v));
        out.put(0).end();
    }

    /** int32 16, int32 80877102, int32 pid, int32 key. */
    public static void cancelRequest(PgBuffer out, int pid, int key) {
        out.beginUntyped().putInt(CANCEL_REQUEST_CODE).putInt(pid).putInt(key).end();
    }

    /** 'Q' int32 len, String query. */
    public static void query(PgBuffer out, String sql) {
        out.begin('Q').putCString(sql).end();
    }

    /** 'P' int32 len, String name, String query, int16 n, int32 type oid * n. */
    public static void parse(PgBuffer out, String name, String sql, int[] types) {
        out.begin('P').putCString(name).putCString(sql).putShort(types.length);
        for (int t : types) {
            out.putInt(t);
        }
        out.end();
    }

    /**
     * 'B' int32 len, String portal, String statement, int16 n + int16 format * n,
     * int16 n + (int32 len, bytes) * n, int16 n + int16 result format * n.
     */
    public static void bind(PgBuffer out, String portal, String statement, List<BindValue> values,
                            short[] resultFormats) {
        out.begin('B').putCString(portal).putCString(statement);
        out.putShort(values.size());
        for (BindValue v : values) {
            out.putShort(v.format());
        }
        out.putShort(values.size());
        for (BindValue v : values) {
            if (v.value() == null) {
                out.putInt(-1);
            } else {
                out.putInt(v.value().length).put(v.value());
            }
        }
        out.putShort(resultFormats.length);
        for (short f : resultFormats) {
            out.putShort(f);
        }
        out.end();
    }

    /** 'D' int32 len, byte 'S' or 'P', String name. */
    public static void describe(PgBuffer out, char kind, String name) {
        out.begin('D').put(kind).putCString(name).end();
    }

    /** 'E' int32 len, String portal, int32 max rows (0 = all). */
    public static void execute(PgBuffer out, String portal, int maxRows) {
        out.begin('E').putCString(portal).putInt(maxRows).end();
    }

    /** 'C' int32 len, byte 'S' or 'P', String name. */
    public static void close(PgBuffer out, char kind, String name) {
        out.begin('C').put(kind).putCString(name).end();
    }

    /** 'H' Flush. */
    public static void flush(PgBuffer out) {
        out.begin('H').end();
    }

    /** 'S' Sync. */
    public static void sync(PgBuffer out) {
        out.begin('S').end();
    }

    /** 'X' Terminate. */
    public static void terminate(PgBuffer out) {
        out.begin('X').end();
    }

    /** 'd' int32 len, bytes. */
    public static void copyDataHeader(PgBuffer out, int payloadLength) {
        out.put('d').putInt(payloadLength + 4);
    }

    /** 'c' CopyDone. */
    public static void copyDone(PgBuffer out) {
        out.begin('c').end();
    }

    /** 'f' int32 len, String reason. */
    public static void copyFail(PgBuffer out, String reason) {
        out.begin('f').putCString(reason).end();
    }

    /** 'p' int32 len, bytes: password, SASLInitialResponse and SASLResponse share the type byte. */
    public static void password(PgBuffer out, byte[] body) {
        out.begin('p').put(body).end();
    }
}
