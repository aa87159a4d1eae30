package io.extensa.protocol.wire;

/** The value encoding of a tagged field, the third byte of its header. */
public enum FieldKind {
    /** signed 64-bit little-endian integer, 8 bytes */
    INT(1),
    /** IEEE 754 binary64 little-endian, 8 bytes */
    FLOAT(2),
    /** one byte, 0 or 1 */
    BOOL(3),
    /** UTF-8 text, no terminator */
    TEXT(4),
    /** raw bytes */
    BYTES(5),
    /** a nested sequence of tagged fields */
    STRUCT(6);

    private final int code;

    FieldKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FieldKind fromCode(int code) {
        return switch (code) {
            case 1 -> INT;
            case 2 -> FLOAT;
            case 3 -> BOOL;
            case 4 -> TEXT;
            case 5 -> BYTES;
            case 6 -> STRUCT;
            default -> null;
        };
    }
}
