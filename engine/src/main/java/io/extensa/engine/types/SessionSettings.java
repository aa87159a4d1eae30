package io.extensa.engine.types;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The session settings that shape PostgreSQL's text output and the bytes of text values.
 * Most come from ParameterStatus (PostgreSQL reports TimeZone, DateStyle, IntervalStyle,
 * integer_datetimes and client_encoding whenever they change); extra_float_digits and
 * bytea_output are not reported, so they default to PostgreSQL's defaults (1, hex) unless the
 * engine learns otherwise.
 *
 * @param timeZoneName the TimeZone setting as reported
 * @param timeZone the zone, or null when Extensa cannot reproduce it (timestamptz text output
 *                 then needs PostgreSQL: see {@link OutputColumnPlan#needsServerCast()})
 * @param dateStyle the output half of DateStyle
 * @param dateOrder the field-order half of DateStyle
 * @param clientEncoding PostgreSQL's name of the client encoding, e.g. {@code UTF8}
 * @param extraFloatDigits above 0: shortest exact float output; 0 or below: rounded output
 *                         (only for values PostgreSQL rounds differently is this used)
 * @param byteaHex bytea text output in hex ({@code \x0102}), otherwise the escape format
 */
public record SessionSettings(String timeZoneName, PgTimeZone timeZone, DateStyle dateStyle, DateOrder dateOrder,
                              IntervalStyle intervalStyle, boolean integerDatetimes, String clientEncoding,
                              int extraFloatDigits, boolean byteaHex) {

    public enum DateStyle { ISO, SQL, POSTGRES, GERMAN }

    public enum DateOrder { MDY, DMY, YMD }

    public enum IntervalStyle { POSTGRES, POSTGRES_VERBOSE, SQL_STANDARD, ISO_8601 }

    /** PostgreSQL's defaults with TimeZone UTC and UTF8. */
    public static final SessionSettings DEFAULT = new SessionSettings("UTC", PgTimeZone.UTC, DateStyle.ISO,
            DateOrder.MDY, IntervalStyle.POSTGRES, true, "UTF8", 1, true);

    private static final Map<String, String> JAVA_CHARSETS = Map.ofEntries(
            Map.entry("LATIN1", "ISO-8859-1"), Map.entry("LATIN2", "ISO-8859-2"), Map.entry("LATIN3", "ISO-8859-3"),
            Map.entry("LATIN4", "ISO-8859-4"), Map.entry("LATIN5", "ISO-8859-9"), Map.entry("LATIN7", "ISO-8859-13"),
            Map.entry("LATIN9", "ISO-8859-15"), Map.entry("ISO_8859_5", "ISO-8859-5"),
            Map.entry("ISO_8859_6", "ISO-8859-6"), Map.entry("ISO_8859_7", "ISO-8859-7"),
            Map.entry("ISO_8859_8", "ISO-8859-8"), Map.entry("WIN1250", "windows-1250"),
            Map.entry("WIN1251", "windows-1251"), Map.entry("WIN1252", "windows-1252"),
            Map.entry("WIN1253", "windows-1253"), Map.entry("WIN1254", "windows-1254"),
            Map.entry("WIN1255", "windows-1255"), Map.entry("WIN1256", "windows-1256"),
            Map.entry("WIN1257", "windows-1257"), Map.entry("WIN1258", "windows-1258"), Map.entry("WIN866", "IBM866"),
            Map.entry("WIN874", "x-windows-874"), Map.entry("KOI8R", "KOI8-R"), Map.entry("KOI8U", "KOI8-U"),
            Map.entry("EUC_JP", "EUC-JP"), Map.entry("EUC_CN", "GB2312"), Map.entry("EUC_KR", "EUC-KR"),
            Map.entry("EUC_TW", "x-EUC-TW"), Map.entry("SJIS", "windows-31j"), Map.entry("BIG5", "Big5"),
            Map.entry("GBK", "GBK"), Map.entry("UHC", "x-windows-949"), Map.entry("GB18030", "GB18030"),
            Map.entry("JOHAB", "x-Johab"));

    /**
     * Settings from ParameterStatus values ({@code parameterStatus.apply("TimeZone")} etc.);
     * missing values take PostgreSQL's defaults.
     */
    public static SessionSettings from(Function<String, String> parameterStatus) {
        String zone = valueOr(parameterStatus.apply("TimeZone"), "UTC");
        String dateStyleSetting = valueOr(parameterStatus.apply("DateStyle"), "ISO, MDY");
        DateStyle style = DateStyle.ISO;
        DateOrder order = DateOrder.MDY;
        for (String part : dateStyleSetting.split(",")) {
            switch (part.trim().toUpperCase(Locale.ROOT)) {
                case "ISO" -> style = DateStyle.ISO;
                case "SQL" -> style = DateStyle.SQL;
                case "POSTGRES" -> style = DateStyle.POSTGRES;
                case "GERMAN" -> style = DateStyle.GERMAN;
                case "DMY", "EURO", "EUROPEAN" -> order = DateOrder.DMY;
                case "MDY", "US", "NONEURO", "NONEUROPEAN" -> order = DateOrder.MDY;
                case "YMD" -> order = DateOrder.YMD;
                default -> {
                    // PostgreSQL rejects other words; keep the defaults
                }
            }
        }
        IntervalStyle intervalStyle = switch (valueOr(parameterStatus.apply("IntervalStyle"), "postgres")
                .toLowerCase(Locale.ROOT)) {
            case "postgres_verbose" -> IntervalStyle.POSTGRES_VERBOSE;
            case "sql_standard" -> IntervalStyle.SQL_STANDARD;
            case "iso_8601" -> IntervalStyle.ISO_8601;
            default -> IntervalStyle.POSTGRES;
        };
        boolean integerDatetimes = !"off".equalsIgnoreCase(parameterStatus.apply("integer_datetimes"));
        String encoding = valueOr(parameterStatus.apply("client_encoding"), "UTF8").toUpperCase(Locale.ROOT);
        return new SessionSettings(zone, PgTimeZone.parse(zone), style, order, intervalStyle, integerDatetimes,
                encoding, 1, true);
    }

    public SessionSettings withExtraFloatDigits(int digits) {
        return new SessionSettings(timeZoneName, timeZone, dateStyle, dateOrder, intervalStyle, integerDatetimes,
                clientEncoding, digits, byteaHex);
    }

    /** @param byteaOutput the bytea_output setting, {@code hex} or {@code escape} */
    public SessionSettings withByteaOutput(String byteaOutput) {
        return new SessionSettings(timeZoneName, timeZone, dateStyle, dateOrder, intervalStyle, integerDatetimes,
                clientEncoding, extraFloatDigits, !"escape".equalsIgnoreCase(byteaOutput));
    }

    public SessionSettings withTimeZone(String zone) {
        return new SessionSettings(zone, PgTimeZone.parse(zone), dateStyle, dateOrder, intervalStyle,
                integerDatetimes, clientEncoding, extraFloatDigits, byteaHex);
    }

    public SessionSettings withDateStyle(DateStyle style, DateOrder order) {
        return new SessionSettings(timeZoneName, timeZone, style, order, intervalStyle, integerDatetimes,
                clientEncoding, extraFloatDigits, byteaHex);
    }

    public SessionSettings withIntervalStyle(IntervalStyle style) {
        return new SessionSettings(timeZoneName, timeZone, dateStyle, dateOrder, style, integerDatetimes,
                clientEncoding, extraFloatDigits, byteaHex);
    }

    public SessionSettings withClientEncoding(String encoding) {
        return new SessionSettings(timeZoneName, timeZone, dateStyle, dateOrder, intervalStyle, integerDatetimes,
                encoding.toUpperCase(Locale.ROOT), extraFloatDigits, byteaHex);
    }

    /**
     * The settings for text that PostgreSQL will parse back (COPY ... FROM STDIN in text format,
     * or a value cast on the server): ISO dates and postgres intervals, which every DateStyle and
     * IntervalStyle read unambiguously, and shortest-exact floats.
     */
    public SessionSettings forServerInput() {
        return new SessionSettings(timeZoneName, timeZone, DateStyle.ISO, DateOrder.YMD, IntervalStyle.POSTGRES,
                integerDatetimes, clientEncoding, 1, true);
    }

    /** Text values travel as UTF-8 unchanged (UTF8, and SQL_ASCII, where PostgreSQL does not convert). */
    public boolean textIsUtf8() {
        return clientEncoding.equals("UTF8") || clientEncoding.equals("UNICODE") || clientEncoding.equals("SQL_ASCII");
    }

    /** The Java charset of a client encoding other than UTF8/SQL_ASCII, or null if Java has none. */
    public Charset charset() {
        if (textIsUtf8()) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
        String java = JAVA_CHARSETS.get(clientEncoding);
        return java != null && Charset.isSupported(java) ? Charset.forName(java) : null;
    }

    private static String valueOr(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
