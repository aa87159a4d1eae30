package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions to declared types checked against PostgreSQL's own casts of the same text: what
 * PostgreSQL accepts must come out the same, what it rejects must be rejected with the same
 * SQLSTATE. Inputs are limited to the spellings Extensa documents (ISO dates, no month names).
 */
class ConversionGoldenTest {

    private static ScratchPostgres pg;

    @BeforeAll
    static void start() {
        pg = ScratchPostgres.get();
        pg.psql("""
                CREATE OR REPLACE FUNCTION try_out(s text, t text) RETURNS text LANGUAGE plpgsql AS $$
                DECLARE r text;
                BEGIN
                  EXECUTE format('SELECT format(''%%s'', %L::%s)', s, t) INTO r;
                  RETURN coalesce(r, '<NULL>');
                EXCEPTION WHEN others THEN RETURN 'ERROR:' || SQLSTATE;
                END $$""",
                """
                CREATE OR REPLACE FUNCTION try_assign(s text, t text) RETURNS text LANGUAGE plpgsql AS $$
                DECLARE r text;
                BEGIN
                  DROP TABLE IF EXISTS pg_temp.assigned;
                  EXECUTE format('CREATE TEMP TABLE assigned (x %s)', t);
                  INSERT INTO pg_temp.assigned VALUES (s);
                  SELECT format('%s', x) INTO r FROM pg_temp.assigned;
                  RETURN r;
                EXCEPTION WHEN others THEN RETURN 'ERROR:' || SQLSTATE;
                END $$""");
    }

    /** PostgreSQL's output of each text cast to the type, or ERROR:sqlstate. */
    private static List<String> postgres(List<String> values, String type, String... settings) {
        return postgres("try_out", values, type, settings);
    }

    private static List<String> postgres(String function, List<String> values, String type, String... settings) {
        StringBuilder array = new StringBuilder("ARRAY[");
        for (int i = 0; i < values.size(); i++) {
            array.append(i == 0 ? "" : ", ").append(literal(values.get(i)));
        }
        array.append("]::text[]");
        List<String> statements = new ArrayList<>(List.of(settings));
        statements.add("SELECT " + function + "(s, " + literal(type) + ") FROM unnest(" + array
                + ") WITH ORDINALITY AS u(s, i) ORDER BY i");
        return GoldenSupport.column(pg.query(statements.toArray(String[]::new)));
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Extensa's output of each wire value converted to the type, or ERROR:sqlstate. */
    private static List<String> extensa(ColumnType wire, ColumnVector column, String type, SessionSettings settings)
            throws PgException {
        DeclaredType declared = TypeCatalog.parseBuiltIn(type);
        OutputColumnPlan plan = OutputTypes.plan("v", WireColumns.spec(wire), declared.type(), declared.typmod(),
                Destination.CLIENT, new TypeCatalog(), settings);
        ValueEncoder encoder = plan.encoder(0);
        List<String> out = new ArrayList<>();
        FieldBuffer buffer = new FieldBuffer();
        for (int row = 0; row < column.rowCount(); row++) {
            buffer.clear();
            try {
                encoder.encode(column, row, row + 1, buffer);
                out.add(new String(buffer.toByteArray(), StandardCharsets.UTF_8));
            } catch (PgException e) {
                out.add("ERROR:" + e.sqlState());
            }
        }
        return out;
    }

    private static void compareText(List<String> values, String type) throws PgException {
        compareText(values, type, SessionSettings.DEFAULT);
    }

    private static void compareText(List<String> values, String type, SessionSettings settings) throws PgException {
        List<String> expected = postgres(values, type, "SET TimeZone = '" + settings.timeZoneName() + "'");
        List<String> actual = extensa(ColumnType.TEXT, WireColumns.texts(ColumnType.TEXT, values), type, settings);
        RoundTripGoldenTest.same(actual, expected, "text -> " + type + " for " + values);
    }

    @Test
    void textToIntegers() throws PgException {
        List<String> values = List.of("0", "42", " -17 ", "+5", "32767", "32768", "-32768", "-32769", "2147483647",
                "2147483648", "-2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                "", " ", "1.5", "1e3", "abc", "12a", "- 1", "0x10", "１２", "\t7\n");
        compareText(values, "smallint");
        compareText(values, "integer");
        compareText(values, "bigint");
    }

    @Test
    void textToFloats() throws PgException {
        List<String> values = List.of("0", "1.5", " -2.25e10 ", "NaN", "nan", "Infinity", "-Infinity", "inf", "-INF",
                "+inf", "1e308", "1e309", "-1e309", "1e-320", "1e-400", "0e-400", "3.4e38", "3.5e38", "1e-46", ".5",
                "5.", "1e", "abc", "", "1.5d", "0.1", "100");
        compareText(values, "double precision");
        compareText(values, "real");
    }

    @Test
    void textToNumeric() throws PgException {
        List<String> values = List.of("0", "-0", "1.50", " 12.345 ", "1e3", "1.5E-3", "NaN", "nan", "Infinity",
                "-inf", "+Infinity", ".5", "5.", "-.5e2", "1e-20", "abc", "", "1e", "123456.1234565", "999999.9999995",
                "-999999.9999995", "0.0000005", "1e100000", "1e-20000");
        compareText(values, "numeric");
        compareText(values, "numeric(12,6)");
        compareText(values, "numeric(3,1)");
        compareText(values, "numeric(5,-2)");
        compareText(values, "numeric(2,4)");
    }

    @Test
    void textToBoolean() throws PgException {
        compareText(List.of("t", "true", "TRUE", " yes ", "y", "on", "1", "f", "false", "no", "n", "off", "of", "0",
                "o", "tr", "fa", "", "2", "truee", "yess"), "boolean");
    }

    @Test
    void textToUuid() throws PgException {
        compareText(List.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
                "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "",
                "{a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid");
    }

    @Test
    void textToDatesAndTimes() throws PgException {
        List<String> dates = List.of("2024-03-01", " 2024-3-1 ", "2024-02-29", "2023-02-29", "2024-13-01",
                "20240301", "0001-01-01 BC", "0001-01-01 AD", "0000-01-01", "infinity", "-infinity", "epoch",
                "2024-03-01 12:34:56", "2024-03-01T12:34", "5874897-12-31", "5874898-01-01", "4714-11-24 BC",
                "4714-11-23 BC", "garbage", "");
        compareText(dates, "date");
        List<String> timestamps = List.of("2024-03-01 12:34:56", "2024-03-01T12:34:56.123456789",
                "2024-03-01 12:34", "2024-03-01", "2024-03-01 24:00:00", "2024-03-01 24:00:01", "2024-03-01 12:60",
                "2024-03-01 12:34:56+02", "2024-03-01 12:34:56 +05:30", "2024-03-01 12:34:56Z",
                "2024-03-01 12:34:56-0800", "2024-03-01 12:34:56 Europe/Berlin", "2024-03-01 12:34:56 UTC",
                "0044-03-15 12:00 BC", "294276-12-31 23:59:59.999999", "294277-01-01", "infinity", "-infinity",
                "epoch", "2024-03-01 12:34:56.5", "2024-03-01 1:2:3", "2024-03-01 12:34:56 +16",
                "2024-03-10 02:30", "2024-11-03 01:30", "2024-03-01 12:34:56.0000005");
        compareText(timestamps, "timestamp");
        compareText(timestamps, "timestamp(0)");
        for (String zone : List.of("UTC", "America/New_York", "Asia/Kolkata", "<+05>-05")) {
            compareText(timestamps, "timestamp with time zone", SessionSettings.DEFAULT.withTimeZone(zone));
        }
        compareText(List.of("12:34", "12:34:56", "12:34:56.789", "24:00:00", "24:00:01", "23:59:59.9999999",
                "00:00", "allballs", "1:2", "12:34:56+02", "2024-03-01 12:34", "25:00", "12:61", ""), "time");
    }

    @Test
    void textToJson() throws PgException {
        List<String> values = List.of("{}", "[]", " {\"a\": [1, 2.50, {\"b\": null}]} ", "\"x\"", "1e5", "-0",
                "true", "nul", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "01", "1.", ".5", "\"\\u00e9\\ud83d\\ude00\"",
                "\"\\ud83d\"", "\"\\u0000\"", "\"tab\there\"", "\"\\x\"", "{\"b\":1,\"a\":2,\"b\":3}", "", "  ",
                "[1,2,3] x", "1e400", "\"\\/\"", "{\"\":\"\"}", "[-1.0E+2]", "[1E-2]");
        compareText(values, "json");
        compareText(values, "jsonb");
    }

    @Test
    void textToTextTypes() throws PgException {
        // stored values follow assignment rules: too long fails unless the excess is spaces
        List<String> values = List.of("", "abc", "abcd", "ab  ", "abc   ", "ab d", "ü😀x", "ü😀xy", "  ");
        for (String type : List.of("character varying(3)", "character(3)", "text", "name")) {
            List<String> expected = postgres("try_assign", values, type);
            List<String> actual = extensa(ColumnType.TEXT, WireColumns.texts(ColumnType.TEXT, values), type,
                    SessionSettings.DEFAULT);
            RoundTripGoldenTest.same(actual, expected, "text -> " + type);
        }
    }

    @Test
    void textToBytea() throws PgException {
        compareText(List.of("\\x", "\\x00ff", "\\xDEAD beef", "\\x0", "\\xzz", "abc", "a\\\\b", "\\001\\377",
                "\\400", "\\", "a\\b"), "bytea");
    }

    @Test
    void decimalToIntegersAndNumeric() throws PgException {
        List<String> values = List.of("0", "1", "-1", "1.0", "1.5", "1E+3", "32767", "32768", "NaN", "Infinity",
                "12345.6789", "-0.5", "99999999999999999999", "1E-3");
        ColumnVector column = WireColumns.texts(ColumnType.DECIMAL, values);
        for (String type : List.of("numeric", "numeric(6,2)", "numeric(10,0)", "double precision", "real")) {
            List<String> expected = postgres(values, type);
            RoundTripGoldenTest.same(extensa(ColumnType.DECIMAL, column, type, SessionSettings.DEFAULT), expected,
                    "decimal -> " + type);
        }
    }
}
