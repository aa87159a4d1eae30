package io.extensa.engine.types;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL Server type names, as written in WITH RESULT SETS or DECLARE, turned into PostgreSQL
 * type text for a cast. PostgreSQL spellings pass through unchanged, so users may write either.
 * Case-insensitive; T-SQL's {@code [bracketed]} identifiers become {@code "quoted"} ones.
 *
 * <pre>
 *  int, integer -> integer          bigint -> bigint        smallint, tinyint -> smallint
 *  bit -> boolean                   real -> real            float -> double precision
 *  float(1..24) -> real             float(25..53) -> double precision
 *  decimal(p,s), numeric(p,s), dec(p,s) -> numeric(p,s)     (no arguments: numeric)
 *  money -> numeric(19,4)           smallmoney -> numeric(10,4)
 *  varchar(n), nvarchar(n) -> varchar(n)                    varchar(max), nvarchar(max), text, ntext -> text
 *  char(n), nchar(n) -> char(n)     varbinary(n|max), binary(n), image, rowversion -> bytea
 *  date -> date                     datetime, smalldatetime, datetime2 -> timestamp
 *  datetime2(n) -> timestamp(n)     datetimeoffset[(n)] -> timestamptz[(n)]      time[(n)] -> time[(n)]
 *  uniqueidentifier -> uuid         sysname -> varchar(128)  xml -> xml
 * </pre>
 * A trailing {@code []} (a PostgreSQL array) applies to the mapped element.
 */
public final class TsqlTypes {

    private static final Pattern SHAPE = Pattern.compile(
            "(?<name>[a-z_][a-z0-9_]*(?:\\s+[a-z_][a-z0-9_]*)*)\\s*(?:\\((?<args>[^()]*)\\))?(?<rest>.*)",
            Pattern.DOTALL);
    private static final Pattern ARRAY_SUFFIX = Pattern.compile("(\\s*\\[\\s*\\d*\\s*\\])+\\s*");

    private interface Rule {
        /** @param args the text inside the parentheses, trimmed, or null when there were none */
        String map(String args);
    }

    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("int", a -> noArgs(a, "integer")),
            Map.entry("tinyint", a -> noArgs(a, "smallint")),
            Map.entry("bit", a -> a == null ? "boolean" : null),
            Map.entry("float", TsqlTypes::floatType),
            Map.entry("decimal", a -> a == null ? "numeric" : "numeric(" + normalizeArgs(a) + ")"),
            Map.entry("dec", a -> a == null ? "numeric" : "numeric(" + normalizeArgs(a) + ")"),
            Map.entry("numeric", a -> a == null ? "numeric" : "numeric(" + normalizeArgs(a) + ")"),
            Map.entry("money", a -> noArgs(a, "numeric(19,4)")),
            Map.entry("smallmoney", a -> noArgs(a, "numeric(10,4)")),
            Map.entry("varchar", a -> varying(a)),
            Map.entry("nvarchar", a -> varying(a)),
            Map.entry("ntext", a -> noArgs(a, "text")),
            Map.entry("nchar", a -> a == null ? "char" : "char(" + normalizeArgs(a) + ")"),
            Map.entry("varbinary", a -> "bytea"),
            Map.entry("binary", a -> "bytea"),
            Map.entry("image", a -> noArgs(a, "bytea")),
            Map.entry("rowversion", a -> noArgs(a, "bytea")),
            Map.entry("datetime", a -> noArgs(a, "timestamp")),
            Map.entry("smalldatetime", a -> noArgs(a, "timestamp")),
            Map.entry("datetime2", a -> a == null ? "timestamp" : "timestamp(" + normalizeArgs(a) + ")"),
            Map.entry("datetimeoffset", a -> a == null ? "timestamptz" : "timestamptz(" + normalizeArgs(a) + ")"),
            Map.entry("uniqueidentifier", a -> noArgs(a, "uuid")),
            Map.entry("sysname", a -> noArgs(a, "varchar(128)")));

    private TsqlTypes() {
    }

    /**
     * The PostgreSQL type text for a type as written by the user.
     *
     * @throws IllegalArgumentException for an empty name
     */
    public static String toPostgres(String typeAsWritten) {
        String written = typeAsWritten == null ? "" : typeAsWritten.strip();
        if (written.isEmpty()) {
            throw new IllegalArgumentException("empty type name");
        }
        String suffix = "";
        int arrayStart = arraySuffixStart(written);
        if (arrayStart >= 0) {
            suffix = written.substring(arrayStart).replaceAll("\\s+", "");
            written = written.substring(0, arrayStart).strip();
        }
        String unbracketed = unbracket(written);
        if (unbracketed.startsWith("\"") || unbracketed.contains(".")) {
            return unbracketed + suffix;
        }
        Matcher m = SHAPE.matcher(unbracketed.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return unbracketed + suffix;
        }
        String name = m.group("name").replaceAll("\\s+", " ");
        String args = m.group("args") == null ? null : m.group("args").strip();
        String rest = m.group("rest").strip();
        Rule rule = RULES.get(name);
        if (rule == null || !rest.isEmpty()) {
            return unbracketed + suffix;
        }
        String mapped = rule.map(args);
        return (mapped == null ? unbracketed : mapped) + suffix;
    }

    /** Where a trailing run of {@code []} / {@code [n]} starts (PostgreSQL arrays), or -1. */
    private static int arraySuffixStart(String s) {
        Matcher m = ARRAY_SUFFIX.matcher(s);
        int start = -1;
        while (m.find()) {
            if (m.end() == s.length()) {
                start = m.start();
                break;
            }
        }
        return start > 0 ? start : -1;
    }

    /** {@code [nvarchar](max)} -> {@code nvarchar(max)}; {@code [dbo].[my type]} -> {@code "dbo"."my type"}. */
    private static String unbracket(String s) {
        if (s.indexOf('[') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        boolean qualified = s.contains("].") || s.contains(".[");
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '[') {
                int close = s.indexOf(']', i + 1);
                while (close >= 0 && close + 1 < s.length() && s.charAt(close + 1) == ']') {
                    close = s.indexOf(']', close + 2);
                }
                if (close < 0) {
                    return s;
                }
                String identifier = s.substring(i + 1, close).replace("]]", "]");
                boolean plain = identifier.matches("[A-Za-z_][A-Za-z0-9_]*");
                if (plain && !qualified) {
                    out.append(identifier);
                } else {
                    out.append('"').append(identifier.replace("\"", "\"\"")).append('"');
                }
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String noArgs(String args, String type) {
        return args == null ? type : null;
    }

    private static String floatType(String args) {
        if (args == null) {
            return "double precision";
        }
        try {
            int bits = Integer.parseInt(args);
            if (bits >= 1 && bits <= 24) {
                return "real";
            }
            if (bits >= 25 && bits <= 53) {
                return "double precision";
            }
        } catch (NumberFormatException e) {
            // not a number: leave it for PostgreSQL to reject
        }
        return null;
    }

    private static String varying(String args) {
        if (args == null) {
            return "varchar";
        }
        if (args.equalsIgnoreCase("max")) {
            return "text";
        }
        return "varchar(" + normalizeArgs(args) + ")";
    }

    private static String normalizeArgs(String args) {
        return args.replaceAll("\\s+", "");
    }
}
