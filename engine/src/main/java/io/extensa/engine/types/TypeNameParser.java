package io.extensa.engine.types;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PostgreSQL type text for built-in types without asking the server: the SQL spellings
 * ({@code double precision}, {@code character varying(10)}, {@code timestamp(3) with time zone},
 * {@code interval day to second(3)}), the pg_type names ({@code int4}, {@code float8}), modifiers
 * and {@code []} suffixes. Anything else (user types, quoted or schema-qualified names other
 * than pg_catalog's) is left to the server.
 */
final class TypeNameParser {

    private static final Pattern SHAPE = Pattern.compile(
            "(?:pg_catalog\\.)?(?<name>[a-z][a-z0-9_]*(?: +[a-z][a-z0-9_]*)*?)"
                    + " *(?:\\( *(?<a1>\\d+) *(?:, *(?<a2>-?\\d+) *)?\\))?"
                    + "(?<tail>(?: +[a-z]+)*)"
                    + " *(?:\\( *(?<a3>\\d+) *\\))?"
                    + "(?<array>(?: *\\[ *\\d* *\\])*) *");

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("smallint", Oids.INT2), Map.entry("int2", Oids.INT2),
            Map.entry("integer", Oids.INT4), Map.entry("int", Oids.INT4), Map.entry("int4", Oids.INT4),
            Map.entry("bigint", Oids.INT8), Map.entry("int8", Oids.INT8),
            Map.entry("real", Oids.FLOAT4), Map.entry("float4", Oids.FLOAT4),
            Map.entry("double precision", Oids.FLOAT8), Map.entry("float8", Oids.FLOAT8),
            Map.entry("numeric", Oids.NUMERIC), Map.entry("decimal", Oids.NUMERIC),
            Map.entry("boolean", Oids.BOOL), Map.entry("bool", Oids.BOOL),
            Map.entry("text", Oids.TEXT), Map.entry("name", Oids.NAME), Map.entry("bytea", Oids.BYTEA),
            Map.entry("varchar", Oids.VARCHAR), Map.entry("character varying", Oids.VARCHAR),
            Map.entry("char varying", Oids.VARCHAR),
            Map.entry("char", Oids.BPCHAR), Map.entry("character", Oids.BPCHAR), Map.entry("bpchar", Oids.BPCHAR),
            Map.entry("date", Oids.DATE), Map.entry("uuid", Oids.UUID), Map.entry("json", Oids.JSON),
            Map.entry("jsonb", Oids.JSONB), Map.entry("oid", Oids.OID),
            Map.entry("timestamptz", Oids.TIMESTAMPTZ), Map.entry("timetz", Oids.TIMETZ),
            Map.entry("inet", Oids.INET), Map.entry("money", Oids.MONEY), Map.entry("xml", Oids.XML));

    private static final Map<String, Integer> INTERVAL_FIELDS = Map.ofEntries(
            Map.entry("year", TypeNames.YEAR), Map.entry("month", TypeNames.MONTH), Map.entry("day", TypeNames.DAY),
            Map.entry("hour", TypeNames.HOUR), Map.entry("minute", TypeNames.MINUTE),
            Map.entry("second", TypeNames.SECOND),
            Map.entry("year to month", TypeNames.YEAR | TypeNames.MONTH),
            Map.entry("day to hour", TypeNames.DAY | TypeNames.HOUR),
            Map.entry("day to minute", TypeNames.DAY | TypeNames.HOUR | TypeNames.MINUTE),
            Map.entry("day to second", TypeNames.DAY | TypeNames.HOUR | TypeNames.MINUTE | TypeNames.SECOND),
            Map.entry("hour to minute", TypeNames.HOUR | TypeNames.MINUTE),
            Map.entry("hour to second", TypeNames.HOUR | TypeNames.MINUTE | TypeNames.SECOND),
            Map.entry("minute to second", TypeNames.MINUTE | TypeNames.SECOND));

    private TypeNameParser() {
    }

    /** The built-in type and modifier the text names, or null when the server must say. */
    static DeclaredType parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        Matcher m = SHAPE.matcher(s);
        if (!m.matches()) {
            return null;
        }
        String name = m.group("name");
        String tail = m.group("tail").strip();
        Integer a1 = m.group("a1") == null ? null : Integer.valueOf(m.group("a1"));
        Integer a2 = m.group("a2") == null ? null : Integer.valueOf(m.group("a2"));
        Integer a3 = m.group("a3") == null ? null : Integer.valueOf(m.group("a3"));
        boolean array = !m.group("array").isBlank();
        if (!name.equals("interval") && a1 == null && a3 != null) {
            // "character varying(10)": the modifier follows the last word
            a1 = a3;
            a3 = null;
        }
        int oid;
        int typmod = -1;
        switch (name) {
            case "timestamp", "time" -> {
                boolean time = name.equals("time");
                if (tail.isEmpty() || tail.equals("without time zone")) {
                    oid = time ? Oids.TIME : Oids.TIMESTAMP;
                } else if (tail.equals("with time zone")) {
                    oid = time ? Oids.TIMETZ : Oids.TIMESTAMPTZ;
                } else {
                    return null;
                }
                if (a2 != null || a3 != null) {
                    return null;
                }
                typmod = a1 == null ? -1 : Math.min(a1, 6);
            }
            case "interval" -> {
                oid = Oids.INTERVAL;
                if (a1 != null && !tail.isEmpty() || a2 != null) {
                    return null;
                }
                int range = TypeNames.INTERVAL_FULL_RANGE;
                if (!tail.isEmpty()) {
                    Integer fields = INTERVAL_FIELDS.get(tail);
                    if (fields == null) {
                        return null;
                    }
                    range = fields;
                }
                Integer precision = a1 != null ? a1 : a3;
                if (precision != null && precision > 6) {
                    precision = 6;
                }
                if (range != TypeNames.INTERVAL_FULL_RANGE || precision != null) {
                    typmod = TypeNames.intervalTypmod(range, precision == null ? -1 : precision);
                }
            }
            case "float" -> {
                if (!tail.isEmpty() || a2 != null || a3 != null) {
                    return null;
                }
                if (a1 == null || a1 >= 25 && a1 <= 53) {
                    oid = Oids.FLOAT8;
                } else if (a1 >= 1 && a1 <= 24) {
                    oid = Oids.FLOAT4;
                } else {
                    return null;
                }
            }
            case "bit" -> {
                if (tail.equals("varying")) {
                    oid = 1562;
                    typmod = a1 == null ? -1 : a1;
                } else if (tail.isEmpty()) {
                    oid = 1560;
                    typmod = a1 == null ? 1 : a1;
                } else {
                    return null;
                }
            }
            default -> {
                String full = tail.isEmpty() ? name : name + " " + tail;
                Integer known = NAMES.get(full);
                if (known == null || a3 != null) {
                    return null;
                }
                oid = known;
                switch (oid) {
                    case Oids.NUMERIC -> {
                        if (a1 != null) {
                            typmod = TypeNames.numericTypmod(a1, a2 == null ? 0 : a2);
                        }
                    }
                    case Oids.VARCHAR -> {
                        if (a2 != null) {
                            return null;
                        }
                        typmod = a1 == null ? -1 : TypeNames.characterTypmod(a1);
                    }
                    case Oids.BPCHAR -> {
                        if (a2 != null) {
                            return null;
                        }
                        // "char" and "character" alone mean one character; bpchar alone means no limit
                        typmod = a1 != null ? TypeNames.characterTypmod(a1)
                                : name.equals("bpchar") ? -1 : TypeNames.characterTypmod(1);
                    }
                    default -> {
                        if (a1 != null) {
                            return null;
                        }
                    }
                }
            }
        }
        PgType type = TypeCatalog.builtIn(oid);
        if (array) {
            type = TypeCatalog.builtIn(type.arrayOid());
        }
        return new DeclaredType(text.strip(), type, typmod);
    }
}
