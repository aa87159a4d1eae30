package io.extensa.engine.types;

import io.extensa.engine.types.SessionSettings.DateOrder;
import io.extensa.engine.types.SessionSettings.DateStyle;
import io.extensa.engine.types.SessionSettings.IntervalStyle;
import io.extensa.protocol.batch.ColumnVector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden checks against a real PostgreSQL 15: values PostgreSQL produces are read from its
 * binary COPY output, printed by the text encoders (must equal what PostgreSQL prints), and
 * written back with the binary and text encoders through COPY FROM STDIN (PostgreSQL must read
 * back the same values).
 */
class RoundTripGoldenTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    /** Checks the values of one type both ways. */
    private static void check(String type, List<String> expressions, SessionSettings settings, String... setup)
            throws Exception {
        ScratchPostgres pg = ScratchPostgres.get();
        List<String> session = new ArrayList<>(List.of(setup));
        session.addAll(setStatements(settings));
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < expressions.size(); i++) {
            values.append(i == 0 ? "" : ", ").append("(").append(i).append(", (").append(expressions.get(i))
                    .append(")::").append(type).append(")");
        }
        String query = "SELECT v FROM (VALUES " + values + ") t(i, v) ORDER BY i";
        String[] sessionArray = session.toArray(String[]::new);
        List<String> expected = GoldenSupport.column(pg.query(concat(sessionArray, query)));

        DeclaredType declared = resolve(pg, type, sessionArray);
        byte[] copy = pg.copyOutBinary(query, sessionArray);
        InputColumnPlan plan = InputTypes.plan("v", declared.type(), declared.typmod(), catalog(pg, declared));
        ColumnVector column = GoldenSupport.read(List.of(plan), copy, type.hashCode()).column(0);
        assertThat(column.rowCount()).isEqualTo(expressions.size());

        // text output as PostgreSQL prints it
        TypeCatalog catalog = catalog(pg, declared);
        OutputColumnPlan toClient = OutputTypes.plan("v", plan.spec(), declared.type(), declared.typmod(),
                Destination.CLIENT, catalog, settings);
        if (!toClient.needsServerCast()) {
            same(GoldenSupport.texts(column, toClient.encoder(0)), expected, "text of " + type + " " + settings);
        } else {
            same(ServerCastGoldenTest.castOnServer(pg, toClient, column, sessionArray), expected,
                    "server cast to " + type);
        }

        // binary and text COPY back into a table of the type
        OutputColumnPlan toTable = OutputTypes.plan("v", plan.spec(), declared.type(), declared.typmod(),
                Destination.COPY, catalog, settings);
        String table = "rt_" + TABLES.incrementAndGet();
        pg.psql(concat(sessionArray, "CREATE TABLE " + table + " (i serial, v " + type + ")"));
        try {
            if (!toTable.needsServerCast()) {
                pg.copyIn(table + " (v)", GoldenSupport.copyBinary(column, toTable.encoder(1)), true, sessionArray);
                same(GoldenSupport.column(pg.query(concat(sessionArray, "SELECT v FROM " + table + " ORDER BY i"))),
                        expected, "binary COPY of " + type);
                pg.psql("TRUNCATE " + table);
            }
            pg.copyIn(table + " (v)", GoldenSupport.copyText(column, toTable.encoder(0)), false, sessionArray);
            same(GoldenSupport.column(pg.query(concat(sessionArray, "SELECT v FROM " + table + " ORDER BY i"))),
                    expected, "text COPY of " + type);
        } finally {
            pg.psql(concat(sessionArray, "DROP TABLE " + table));
        }
    }

    /** Lists only the rows that differ, so a failure among hundreds of values is readable. */
    static void same(List<String> actual, List<String> expected, String what) {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            String a = i < actual.size() ? actual.get(i) : "<missing>";
            String e = i < expected.size() ? expected.get(i) : "<missing>";
            if (!java.util.Objects.equals(a, e)) {
                differences.add("row " + (i + 1) + ": expected " + e + " but got " + a);
            }
        }
        assertThat(differences).as(what).isEmpty();
    }

    private static DeclaredType resolve(ScratchPostgres pg, String type, String[] setup) {
        DeclaredType builtIn = TypeCatalog.parseBuiltIn(type);
        if (builtIn != null) {
            return builtIn;
        }
        return new DeclaredType(type, pgType(pg, "'" + type + "'::regtype", setup), -1);
    }

    private static PgType pgType(ScratchPostgres pg, String oidExpression, String[] setup) {
        List<List<String>> row = pg.query(concat(setup, "SELECT t.oid, format_type(t.oid, NULL), t.typtype, t.typcategory,"
                + " t.typelem, t.typbasetype, t.typarray, t.typlen, t.typname, n.nspname, t.typtypmod"
                + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = " + oidExpression));
        List<String> v = row.get(0);
        return new PgType(Integer.parseInt(v.get(0)), v.get(1), v.get(2).charAt(0), v.get(3).charAt(0),
                Integer.parseInt(v.get(4)), Integer.parseInt(v.get(5)), Integer.parseInt(v.get(6)),
                Integer.parseInt(v.get(7)), v.get(8), v.get(9), Integer.parseInt(v.get(10)));
    }

    /** A catalog that knows the type and, one level down, its element or base type. */
    private static TypeCatalog catalog(ScratchPostgres pg, DeclaredType declared) {
        TypeCatalog catalog = new TypeCatalog();
        PgType t = declared.type();
        while (t != null && TypeCatalog.builtIn(t.oid()) == null) {
            catalog.add(t);
            int next = t.elementOid() != 0 ? t.elementOid() : t.baseOid();
            t = next == 0 || TypeCatalog.builtIn(next) != null ? null : pgType(pg, String.valueOf(next), new String[0]);
        }
        return catalog;
    }

    private static List<String> setStatements(SessionSettings s) {
        List<String> out = new ArrayList<>();
        out.add("SET TimeZone = '" + s.timeZoneName() + "'");
        out.add("SET DateStyle = '" + s.dateStyle() + ", " + s.dateOrder() + "'");
        out.add("SET IntervalStyle = '" + s.intervalStyle().name().toLowerCase() + "'");
        out.add("SET extra_float_digits = " + s.extraFloatDigits());
        out.add("SET bytea_output = '" + (s.byteaHex() ? "hex" : "escape") + "'");
        return out;
    }

    private static String[] concat(String[] first, String last) {
        String[] all = java.util.Arrays.copyOf(first, first.length + 1);
        all[first.length] = last;
        return all;
    }

    private static final SessionSettings UTC = SessionSettings.DEFAULT;

    @Test
    void booleans() throws Exception {
        check("boolean", List.of("true", "false", "NULL"), UTC);
    }

    @Test
    void integers() throws Exception {
        check("smallint", List.of("-32768", "32767", "0", "NULL", "-1"), UTC);
        check("integer", List.of("-2147483648", "2147483647", "0", "NULL", "42"), UTC);
        check("bigint", List.of("-9223372036854775808", "9223372036854775807", "0", "NULL"), UTC);
        check("oid", List.of("0", "4294967295", "2147483648", "NULL"), UTC);
    }

    @Test
    void floats() throws Exception {
        List<String> special = List.of("'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "0", "NULL", "0.1", "1e16",
                "1e15", "123456789012345", "1e-4", "1e-5", "100", "1.5", "-2.5e-300", "4.9e-324", "2.2250738585072014e-308",
                "1.7976931348623157e308", "2.225073858507201e-308", "1e23", "9007199254740993", "5e-324", "1e-320");
        check("double precision", special, UTC);
        List<String> singles = List.of("'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "0.1", "1e6", "123456", "1e-5",
                "1.4e-45", "3.4028235e38", "1.1754944e-38", "1e-40", "0.3", "16777217", "NULL");
        check("real", singles, UTC);
        check("double precision", List.of("0.1", "1e16", "123.456", "1e-5", "'NaN'"), UTC.withExtraFloatDigits(0));
        check("real", List.of("0.1", "1e6", "123.456", "1e-5"), UTC.withExtraFloatDigits(-2));
    }

    @Test
    void randomDoubles() throws Exception {
        Random random = new Random(42);
        List<String> doubles = new ArrayList<>();
        List<String> floats = new ArrayList<>();
        while (doubles.size() < 400) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(d)) {
                doubles.add("'" + d + "'");
            }
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(f)) {
                floats.add("'" + f + "'");
            }
            doubles.add("'" + random.nextDouble() * Math.pow(10, random.nextInt(40) - 20) + "'");
        }
        check("double precision", doubles, UTC);
        check("real", floats, UTC);
    }

    @Test
    void powersOfTwoAndTen() throws Exception {
        // exact powers and their neighbours are where shortest-digit algorithms disagree
        List<String> doubles = new ArrayList<>();
        List<String> floats = new ArrayList<>();
        for (int e = -1074; e <= 1023; e += 7) {
            double p = Math.scalb(1.0, e);
            doubles.add("'" + p + "'");
            doubles.add("'" + Math.nextUp(p) + "'");
            doubles.add("'" + Math.nextDown(p) + "'");
        }
        for (int e = -323; e <= 308; e++) {
            doubles.add("'1e" + e + "'");
        }
        for (int e = -149; e <= 127; e++) {
            float p = Math.scalb(1.0f, e);
            floats.add("'" + p + "'");
            floats.add("'" + Math.nextUp(p) + "'");
        }
        for (int e = -45; e <= 38; e++) {
            floats.add("'1e" + e + "'");
        }
        check("double precision", doubles, UTC);
        check("real", floats, UTC);
    }

    @Test
    void numerics() throws Exception {
        check("numeric", List.of("0", "'-0'", "1.50", "123456789012345678901234567890.123456789", "1e-20",
                "'NaN'", "'Infinity'", "'-Infinity'", "1e100", "-0.0001", "9999.9999", "10000", "0.5", "-12.000",
                "0.00012300", "1e-16383", "NULL", "'1.5e3'", "12345678.9", "-1"), UTC);
        check("numeric(12,6)", List.of("0", "123456.123456", "-0.000001", "1.5", "NULL", "'NaN'"), UTC);
        check("numeric(5,-2)", List.of("12300", "-99900", "0"), UTC);
        check("numeric(3,5)", List.of("0.00123", "-0.00999"), UTC);
    }

    @Test
    void text() throws Exception {
        List<String> values = List.of("''", "'abc'", "'😀 ü ß 中文 𝄞'", "'with \"quotes\" and \\ backslash'",
                "E'tab\\there'", "E'new\\nline\\r'", "'NULL'", "' padded  '", "NULL");
        check("text", values, UTC);
        check("character varying", values, UTC);
        check("character varying(20)", values, UTC);
        check("character(20)", values, UTC);
        check("bpchar", values, UTC);
        check("name", values, UTC);
        check("\"char\"", List.of("'a'", "''", "'Z'", "NULL"), UTC);
    }

    @Test
    void citext() throws Exception {
        check("citext", List.of("'MiXeD'", "''", "NULL", "'ü'"), UTC, "CREATE EXTENSION IF NOT EXISTS citext");
    }

    @Test
    void bytea() throws Exception {
        String all = "decode((SELECT string_agg(lpad(to_hex(i), 2, '0'), '') FROM generate_series(0, 255) i), 'hex')";
        check("bytea", List.of(all, "''", "'\\x00'", "'\\x5c'", "NULL"), UTC);
        check("bytea", List.of(all, "''", "'\\x00'", "'\\x5c'", "NULL"), UTC.withByteaOutput("escape"));
    }

    @Test
    void dates() throws Exception {
        List<String> dates = List.of("'2000-01-01'", "'1970-01-01'", "'1999-12-31'", "'0001-01-01 BC'",
                "'4713-01-01 BC'", "'4714-11-24 BC'", "'5874897-12-31'", "'infinity'", "'-infinity'", "'2024-02-29'",
                "'1900-03-01'", "NULL", "'0001-01-01'");
        check("date", dates, UTC);
        for (DateStyle style : DateStyle.values()) {
            for (DateOrder order : DateOrder.values()) {
                check("date", dates, UTC.withDateStyle(style, order));
            }
        }
    }

    @Test
    void timestamps() throws Exception {
        List<String> values = List.of("'2000-01-01 00:00:00'", "'1970-01-01'", "'2000-01-01 00:00:00.000001'",
                "'1999-12-31 23:59:59.999999'", "'0044-03-15 12:00 BC'", "'294246-12-31 23:59:59'", "'infinity'",
                "'-infinity'", "'4714-11-24 00:00:00 BC'", "'2024-02-29 12:34:56.5'", "NULL", "'1969-12-31 23:59:59.9'");
        check("timestamp", values, UTC);
        check("timestamp(0)", values, UTC);
        check("timestamp(3)", values, UTC);
        for (DateStyle style : DateStyle.values()) {
            check("timestamp", values, UTC.withDateStyle(style, DateOrder.DMY));
            check("timestamp", values, UTC.withDateStyle(style, DateOrder.MDY));
        }
    }

    @Test
    void timestampsWithTimeZone() throws Exception {
        List<String> values = List.of("'2000-01-01 00:00:00+00'", "'1970-01-01 00:00+00'", "'2024-07-01 12:00:00+00'",
                "'2024-01-15 08:30:00.123456+00'", "'1900-01-01 00:00+00'", "'1850-06-01 00:00+00'",
                "'0044-03-15 12:00+00 BC'", "'infinity'", "'-infinity'", "'2100-07-01 00:00+00'",
                "'2024-03-31 01:30+00'", "'2024-10-27 00:30+00'", "NULL", "'294246-12-31 00:00+00'");
        for (String zone : List.of("UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "America/New_York",
                "<+05>-05", "+05:30", "Australia/Lord_Howe", "Pacific/Chatham", "EST5EDT")) {
            check("timestamp with time zone", values, UTC.withTimeZone(zone));
        }
        check("timestamptz(2)", values, UTC.withTimeZone("Europe/Berlin"));
        for (DateStyle style : DateStyle.values()) {
            for (String zone : List.of("Europe/Berlin", "America/Sao_Paulo", "+05:30", "<+05>-05", "UTC")) {
                check("timestamp with time zone", values, UTC.withTimeZone(zone).withDateStyle(style, DateOrder.DMY));
            }
        }
        List<String> modern = List.of("'2024-07-01 12:00:00+00'", "'2024-01-15 08:30:00.123456+00'",
                "'2024-03-10 07:30+00'", "'2024-11-03 06:30+00'", "'2031-07-01 00:00+00'");
        check("timestamp with time zone", modern, UTC.withTimeZone("XYZ+4ABC"));
        check("timestamp with time zone", modern, UTC.withTimeZone("XYZ+4ABC").withDateStyle(DateStyle.SQL,
                DateOrder.MDY));
    }

    @Test
    void times() throws Exception {
        List<String> values = List.of("'00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.789'", "NULL",
                "'00:00:00.000001'");
        check("time", values, UTC);
        check("time(1)", values, UTC);
    }

    @Test
    void intervals() throws Exception {
        List<String> values = List.of("'1 year 2 mons -3 days 04:05:06.7'", "'-1 year -2 mons +3 days -04:05:06'",
                "'0'", "'-00:00:01'", "'100 years'", "'1 day -1 sec'", "'1 mon'", "'-1 mon'", "'1 day'",
                "'-1 day'", "'00:00:00.000001'", "'-178956970 years -7 mons'", "'2147483647 days'",
                "'-2562047788:00:54.775807'", "'1 year -1 mon'", "'-1 year 1 mon 1 day'", "'1 sec'", "'-1.5 sec'",
                "'-1 day +1 sec'", "NULL", "'3 days 0.5 sec'", "'-3 days -0.5 sec'");
        for (IntervalStyle style : IntervalStyle.values()) {
            check("interval", values, UTC.withIntervalStyle(style));
        }
        check("interval year", values, UTC);
        check("interval day to minute", values, UTC);
        check("interval hour to second(2)", values, UTC);
        check("interval(0)", values, UTC);
    }

    @Test
    void uuids() throws Exception {
        check("uuid", List.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'",
                "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "NULL"), UTC);
    }

    @Test
    void json() throws Exception {
        List<String> values = List.of("'{\"b\":1, \"a\":[1,2,{\"c\":null}]}'", "'\"str\"'", "'123'",
                "'  {\"a\" : 1 }  '", "'[]'", "'{}'", "'null'", "'[1.0, 1e2, -0, -0.0, 1E-2, \"x\\u00e9\\n\\t\\\"\"]'",
                "'{\"b\":1,\"a\":2,\"aa\":3,\"a\":4}'", "'{\"long key\": true, \"k\": false, \"\": 0}'",
                "'\"\\ud83d\\ude00 \\u0001 \\/\"'", "'[[[]]]'", "'12345678901234567890.50'", "NULL");
        check("json", values, UTC);
        check("jsonb", values, UTC);
    }

    @Test
    void arrays() throws Exception {
        check("integer[]", List.of("'{}'", "'{1,2,NULL}'", "'{{1,2},{3,4}}'", "'{{NULL,NULL}}'", "NULL",
                "'{{{1},{2}},{{3},{4}}}'", "'{-2147483648}'"), UTC);
        check("text[]", List.of("ARRAY['a b', '', NULL, 'NULL', 'x\"y', '\\', '{}', 'a,b', 'null', 'ü😀', E'\\t']",
                "'{}'", "'{{a,b},{c,d}}'"), UTC);
        check("timestamp[]", List.of("ARRAY['2024-01-01 10:00'::timestamp, NULL, 'infinity']"), UTC);
        check("timestamptz[]", List.of("ARRAY['2024-01-01 10:00+00'::timestamptz, NULL]"), UTC.withTimeZone("Asia/Kolkata"));
        check("numeric(5,2)[]", List.of("'{1.5,NULL,-999.99,NaN}'"), UTC);
        check("bytea[]", List.of("ARRAY['\\x00ff'::bytea, '', NULL]"), UTC);
        check("date[]", List.of("'{2000-01-01,infinity,NULL}'", "'{0001-01-01 BC}'"), UTC);
        check("boolean[]", List.of("'{t,f,NULL}'"), UTC);
        check("double precision[]", List.of("'{NaN,Infinity,-Infinity,0.1,1e16}'"), UTC);
        check("uuid[]", List.of("'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'"), UTC);
        check("jsonb[]", List.of("ARRAY['{\"a\":1}'::jsonb, '[1, 2]', NULL]"), UTC);
        check("interval[]", List.of("ARRAY['1 day'::interval, '-1 mon']"), UTC);
        check("character varying(3)[]", List.of("'{abc,\"a \",NULL}'"), UTC);
        check("character(3)[]", List.of("'{a,\"ab\",NULL}'"), UTC);
    }

    @Test
    void enumsAndDomains() throws Exception {
        String setup = "DO $$ BEGIN CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très \"heureux\"'); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        check("mood", List.of("'sad'", "'happy'", "'très \"heureux\"'", "NULL"), UTC, setup);
        check("mood[]", List.of("'{sad,NULL,happy}'", "'{}'"), UTC, setup);
        String domain = "DO $$ BEGIN CREATE DOMAIN posint AS integer CHECK (VALUE > 0); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        check("posint", List.of("1", "2147483647", "NULL"), UTC, domain);
        String shortText = "DO $$ BEGIN CREATE DOMAIN short_text AS varchar(5); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        check("short_text", List.of("'abc'", "''", "NULL"), UTC, shortText);
        check("posint[]", List.of("'{1,2,NULL}'"), UTC, domain);
    }

    @Test
    void lowerBoundsAreDropped() throws Exception {
        ScratchPostgres pg = ScratchPostgres.get();
        DeclaredType type = TypeCatalog.parseBuiltIn("integer[]");
        GoldenSupport.Decoded d = GoldenSupport.decode(pg, "SELECT '[0:2]={1,2,3}'::integer[]", type, 3);
        ValueEncoder text = GoldenSupport.natural(d.plan().spec(), type, UTC, Destination.CLIENT).encoder(0);
        assertThat(GoldenSupport.texts(d.column(), text)).containsExactly("{1,2,3}");
    }

    @Test
    void bytesOfAllByteValuesSurviveExactly() throws Exception {
        ScratchPostgres pg = ScratchPostgres.get();
        DeclaredType type = TypeCatalog.parseBuiltIn("bytea");
        GoldenSupport.Decoded d = GoldenSupport.decode(pg, "SELECT decode((SELECT string_agg(lpad(to_hex(i), 2, '0'), '')"
                + " FROM generate_series(0, 255) i), 'hex')", type, 5);
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        assertThat(d.column().getBytes(0)).isEqualTo(expected);
        assertThat(new String(expected, StandardCharsets.ISO_8859_1)).hasSize(256);
    }
}
