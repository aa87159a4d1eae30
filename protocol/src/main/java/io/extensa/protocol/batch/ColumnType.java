package io.extensa.protocol.batch;

/**
 * Column type codes of the columnar batch format. A fixed-width type stores {@link #width()}
 * bytes per row in the column's data buffer; a variable-length type stores int32 offsets plus
 * concatenated bytes; {@link #ARRAY} stores offsets into a child column. See docs/protocol.md.
 */
public enum ColumnType {
    /** u8, 0 or 1 */
    BOOL(1, 1),
    INT16(2, 2),
    INT32(3, 4),
    INT64(4, 8),
    FLOAT32(5, 4),
    /** IEEE 754 binary64; NaN and the infinities are values, not NULL */
    FLOAT64(6, 8),
    /** the number as UTF-8 text: {@code -12.500}, {@code 1E+30}, {@code NaN}, {@code Infinity}, {@code -Infinity} */
    DECIMAL(7, -1),
    TEXT(8, -1),
    BYTES(9, -1),
    /** i32 days since 1970-01-01; {@link Integer#MAX_VALUE}/{@link Integer#MIN_VALUE} are +/-infinity */
    DATE(10, 4),
    /** i64 microseconds since 1970-01-01 00:00:00; {@link Long#MAX_VALUE}/{@link Long#MIN_VALUE} are +/-infinity */
    TIMESTAMP(11, 8),
    /** like {@link #TIMESTAMP}, in UTC */
    TIMESTAMPTZ(12, 8),
    /** i64 microseconds since midnight */
    TIME(13, 8),
    /** i64 microseconds, i32 days, i32 months: 16 bytes per row */
    INTERVAL(14, 16),
    /** 16 bytes in RFC 4122 (big-endian) order */
    UUID(15, 16),
    /** UTF-8 JSON text */
    JSON(16, -1),
    /** offsets into a child column, optional per-row shapes */
    ARRAY(17, -1);

    /** Sentinels of DATE, TIMESTAMP and TIMESTAMPTZ for PostgreSQL's infinity values. */
    public static final int DATE_POSITIVE_INFINITY = Integer.MAX_VALUE;
    public static final int DATE_NEGATIVE_INFINITY = Integer.MIN_VALUE;
    public static final long TIMESTAMP_POSITIVE_INFINITY = Long.MAX_VALUE;
    public static final long TIMESTAMP_NEGATIVE_INFINITY = Long.MIN_VALUE;

    private static final ColumnType[] BY_CODE = new ColumnType[32];

    static {
        for (ColumnType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final int width;

    ColumnType(int code, int width) {
        this.code = code;
        this.width = width;
    }

    public int code() {
        return code;
    }

    /** Bytes per row in the data buffer, or -1 when the type is variable-length. */
    public int width() {
        return width;
    }

    public boolean isFixedWidth() {
        return width > 0;
    }

    /** Variable-length types whose data is UTF-8 text the receiver must validate. */
    public boolean isText() {
        return this == DECIMAL || this == TEXT || this == JSON;
    }

    /** @return the type for a wire code, or null when the code is not assigned */
    public static ColumnType fromCode(long code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }
}
