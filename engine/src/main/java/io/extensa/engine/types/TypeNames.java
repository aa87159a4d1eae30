package io.extensa.engine.types;

/**
 * Type modifiers of the built-in types, and PostgreSQL's {@code format_type(oid, typmod)}
 * spelling of a type with its modifier ({@code numeric(12,6)}, {@code character varying(20)},
 * {@code timestamp(3) with time zone}, {@code interval day to second(3)}, {@code integer[]}).
 */
public final class TypeNames {

    /** varlena header size, which PostgreSQL adds to character and numeric modifiers */
    static final int VARHDRSZ = 4;

    // interval field bits (datetime.h) and the "unspecified" sentinels of an interval typmod
    static final int YEAR = 1 << 2;
    static final int MONTH = 1 << 1;
    static final int DAY = 1 << 3;
    static final int HOUR = 1 << 10;
    static final int MINUTE = 1 << 11;
    static final int SECOND = 1 << 12;
    static final int INTERVAL_FULL_RANGE = 0x7FFF;
    static final int INTERVAL_FULL_PRECISION = 0xFFFF;

    private TypeNames() {
    }

    /** The type as format_type prints it, modifier included (typmod -1 = none). */
    public static String format(PgType type, int typmod, TypeCatalog catalog) {
        if (type.isArray()) {
            PgType element = catalog.lookup(type.elementOid());
            if (element != null) {
                return format(element, typmod, catalog) + "[]";
            }
            return type.name();
        }
        return format(type, typmod);
    }

    /** Like {@link #format(PgType, int, TypeCatalog)} for a non-array type. */
    static String format(PgType type, int typmod) {
        switch (type.oid()) {
            case Oids.BPCHAR:
                return typmod >= VARHDRSZ ? "character(" + (typmod - VARHDRSZ) + ")" : typmod == -1 ? "bpchar" : type.name();
            case Oids.VARCHAR:
                return typmod >= VARHDRSZ ? "character varying(" + (typmod - VARHDRSZ) + ")" : type.name();
            case Oids.NUMERIC:
                return typmod >= VARHDRSZ
                        ? "numeric(" + numericPrecision(typmod) + "," + numericScale(typmod) + ")" : type.name();
            case Oids.TIMESTAMP:
                return typmod >= 0 ? "timestamp(" + typmod + ") without time zone" : type.name();
            case Oids.TIMESTAMPTZ:
                return typmod >= 0 ? "timestamp(" + typmod + ") with time zone" : type.name();
            case Oids.TIME:
                return typmod >= 0 ? "time(" + typmod + ") without time zone" : type.name();
            case Oids.TIMETZ:
                return typmod >= 0 ? "time(" + typmod + ") with time zone" : type.name();
            case Oids.INTERVAL:
                return typmod >= 0 ? "interval" + intervalFields(typmod) + intervalPrecisionSuffix(typmod) : type.name();
            case 1560: // bit
                return typmod >= 0 ? "bit(" + typmod + ")" : type.name();
            case 1562: // varbit
                return typmod >= 0 ? "bit varying(" + typmod + ")" : type.name();
            default:
                return type.name();
        }
    }

    public static int numericPrecision(int typmod) {
        return ((typmod - VARHDRSZ) >> 16) & 0xFFFF;
    }

    /** The scale, which PostgreSQL 15 allows to be negative or larger than the precision. */
    public static int numericScale(int typmod) {
        return (((typmod - VARHDRSZ) & 0x7FF) ^ 1024) - 1024;
    }

    public static int numericTypmod(int precision, int scale) {
        return ((precision << 16) | (scale & 0x7FF)) + VARHDRSZ;
    }

    /** The character length limit of a varchar(n) or char(n) modifier, -1 for none. */
    public static int characterLength(int typmod) {
        return typmod >= VARHDRSZ ? typmod - VARHDRSZ : -1;
    }

    public static int characterTypmod(int length) {
        return length + VARHDRSZ;
    }

    /** The interval field mask of an interval modifier ({@link #INTERVAL_FULL_RANGE} when none). */
    static int intervalRange(int typmod) {
        return typmod < 0 ? INTERVAL_FULL_RANGE : (typmod >> 16) & 0x7FFF;
    }

    /** The fractional-second precision of an interval modifier, -1 when none. */
    static int intervalPrecision(int typmod) {
        int precision = typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xFFFF;
        return precision == INTERVAL_FULL_PRECISION ? -1 : precision;
    }

    static int intervalTypmod(int range, int precision) {
        return (range << 16) | (precision < 0 ? INTERVAL_FULL_PRECISION : precision);
    }

    private static String intervalFields(int typmod) {
        int range = intervalRange(typmod);
        return switch (range) {
            case YEAR -> " year";
            case MONTH -> " month";
            case DAY -> " day";
            case HOUR -> " hour";
            case MINUTE -> " minute";
            case SECOND -> " second";
            case YEAR | MONTH -> " year to month";
            case DAY | HOUR -> " day to hour";
            case DAY | HOUR | MINUTE -> " day to minute";
            case DAY | HOUR | MINUTE | SECOND -> " day to second";
            case HOUR | MINUTE -> " hour to minute";
            case HOUR | MINUTE | SECOND -> " hour to second";
            case MINUTE | SECOND -> " minute to second";
            default -> "";
        };
    }

    private static String intervalPrecisionSuffix(int typmod) {
        int precision = intervalPrecision(typmod);
        return precision < 0 ? "" : "(" + precision + ")";
    }
}
