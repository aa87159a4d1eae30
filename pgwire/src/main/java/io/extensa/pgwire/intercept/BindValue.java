package io.extensa.pgwire.intercept;

/**
 * A parameter value as it travels in Bind: type OID (0 = let PostgreSQL infer), format
 * (0 text, 1 binary), bytes (null for SQL NULL).
 */
public record BindValue(int typeOid, int format, byte[] value) {

    public static BindValue text(int typeOid, String value) {
        return new BindValue(typeOid, 0, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean isNull() {
        return value == null;
    }
}
