package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputTypesTest {

    private final TypeCatalog catalog = new TypeCatalog();
    private final SessionSettings settings = SessionSettings.DEFAULT;

    private OutputColumnPlan plan(ColumnType wire, String declared, Destination destination) throws PgException {
        return plan(ColumnSpec.of("v", wire, null), declared, destination, settings);
    }

    private OutputColumnPlan plan(ColumnSpec spec, String declared, Destination destination, SessionSettings s)
            throws PgException {
        DeclaredType type = TypeCatalog.parseBuiltIn(declared);
        return OutputTypes.plan("v", spec, type.type(), type.typmod(), destination, catalog, s);
    }

    /** Each row as text through the plan's text encoder, or "ERROR sqlstate: message". */
    private static List<String> texts(OutputColumnPlan plan, ColumnVector column) {
        ValueEncoder encoder = plan.encoder(0);
        List<String> out = new ArrayList<>();
        FieldBuffer buffer = new FieldBuffer();
        for (int row = 0; row < column.rowCount(); row++) {
            if (ValueEncoder.isNull(encoder, column, row)) {
                out.add(null);
                continue;
            }
            buffer.clear();
            try {
                encoder.encode(column, row, row + 1, buffer);
                out.add(new String(buffer.toByteArray(), StandardCharsets.UTF_8));
            } catch (PgException e) {
                out.add("ERROR " + e.sqlState() + ": " + e.getMessage());
            }
        }
        return out;
    }

    @Test
    void naturalTypes() {
        assertThat(natural(ColumnType.BOOL, null)).isEqualTo("boolean");
        assertThat(natural(ColumnType.INT16, null)).isEqualTo("smallint");
        assertThat(natural(ColumnType.INT32, null)).isEqualTo("integer");
        assertThat(natural(ColumnType.INT64, null)).isEqualTo("bigint");
        assertThat(natural(ColumnType.FLOAT32, null)).isEqualTo("real");
        assertThat(natural(ColumnType.FLOAT64, null)).isEqualTo("double precision");
        assertThat(natural(ColumnType.DECIMAL, "numeric(12,6)")).isEqualTo("numeric");
        assertThat(natural(ColumnType.TEXT, null)).isEqualTo("text");
        assertThat(natural(ColumnType.TEXT, "text")).isEqualTo("text");
        assertThat(natural(ColumnType.TEXT, "character varying(20)")).isEqualTo("character varying");
        assertThat(natural(ColumnType.TEXT, "character(3)")).isEqualTo("character");
        assertThat(natural(ColumnType.TEXT, "mood")).isEqualTo("text");
        assertThat(natural(ColumnType.BYTES, null)).isEqualTo("bytea");
        assertThat(natural(ColumnType.DATE, null)).isEqualTo("date");
        assertThat(natural(ColumnType.TIMESTAMP, null)).isEqualTo("timestamp without time zone");
        assertThat(natural(ColumnType.TIMESTAMPTZ, null)).isEqualTo("timestamp with time zone");
        assertThat(natural(ColumnType.TIME, null)).isEqualTo("time without time zone");
        assertThat(natural(ColumnType.INTERVAL, null)).isEqualTo("interval");
        assertThat(natural(ColumnType.UUID, null)).isEqualTo("uuid");
        assertThat(natural(ColumnType.JSON, null)).isEqualTo("json");
        assertThat(natural(ColumnType.JSON, "jsonb")).isEqualTo("jsonb");
        assertThat(OutputTypes.naturalType(new ColumnSpec("v", ColumnType.ARRAY, null, ColumnType.INT64), catalog)
                .name()).isEqualTo("bigint[]");
        assertThat(OutputTypes.naturalType(new ColumnSpec("v", ColumnType.ARRAY, "jsonb[]", ColumnType.JSON), catalog)
                .name()).isEqualTo("jsonb[]");
    }

    private String natural(ColumnType type, String suggestion) {
        return OutputTypes.naturalType(ColumnSpec.of("v", type, suggestion), catalog).name();
    }

    @Test
    void narrowingIntegersIsCheckedPerValue() throws PgException {
        ColumnVector values = WireColumns.longs(ColumnType.INT64, 1, 2147483647, 2147483648L, -2147483649L);
        List<String> out = texts(plan(ColumnType.INT64, "integer", Destination.CLIENT), values);
        assertThat(out.subList(0, 2)).containsExactly("1", "2147483647");
        assertThat(out.get(2)).isEqualTo("ERROR 22003: column \"v\", row 3: value 2147483648 is out of range"
                + " for type integer");
        assertThat(out.get(3)).startsWith("ERROR 22003: column \"v\", row 4:");
        assertThat(texts(plan(ColumnType.INT32, "smallint", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT32, -32768, 40000))).containsExactly("-32768",
                "ERROR 22003: column \"v\", row 2: value 40000 is out of range for type smallint");
    }

    @Test
    void floatsBecomeIntegersOnlyWhenIntegral() throws PgException {
        ColumnVector values = WireColumns.doubles(3.0, 2.5, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e19);
        List<String> out = texts(plan(ColumnType.FLOAT64, "bigint", Destination.CLIENT), values);
        assertThat(out.get(0)).isEqualTo("3");
        assertThat(out.get(1)).isEqualTo("ERROR 22003: column \"v\", row 2: value 2.5 is not an integer, so type"
                + " bigint cannot hold it exactly");
        assertThat(out.get(2)).as("NaN is pandas' missing value: a type without NaN gets NULL").isNull();
        assertThat(out.get(3)).contains("cannot convert infinity to bigint");
        assertThat(out.get(4)).isEqualTo("0");
        assertThat(out.get(5)).contains("out of range for type bigint");
    }

    @Test
    void aFloatNaNIsNullForIntegersButAValueWhereTheTypeHasNaN() throws PgException {
        ColumnVector doubles = WireColumns.doubles(1.0, Double.NaN, 0.0);
        assertThat(texts(plan(ColumnType.FLOAT64, "integer", Destination.CLIENT), doubles))
                .containsExactly("1", null, "0");
        assertThat(texts(plan(ColumnType.FLOAT64, "smallint", Destination.CLIENT), doubles))
                .containsExactly("1", null, "0");
        assertThat(texts(plan(ColumnType.FLOAT32, "bigint", Destination.CLIENT), WireColumns.floats(Float.NaN, 2f)))
                .containsExactly(null, "2");
        assertThat(texts(plan(ColumnType.FLOAT64, "double precision", Destination.CLIENT), doubles))
                .containsExactly("1", "NaN", "0");
        assertThat(texts(plan(ColumnType.FLOAT64, "numeric", Destination.CLIENT), doubles))
                .containsExactly("1", "NaN", "0");
        assertThat(texts(plan(ColumnType.FLOAT64, "text", Destination.CLIENT), doubles))
                .containsExactly("1", "NaN", "0");
    }

    @Test
    void numbersBecomeNumericExactly() throws PgException {
        assertThat(texts(plan(ColumnType.FLOAT64, "numeric", Destination.CLIENT),
                WireColumns.doubles(0.1, 1e16, 1.5e-5, Double.NaN, Double.POSITIVE_INFINITY, -0.0)))
                .containsExactly("0.1", "10000000000000000", "0.000015", "NaN", "Infinity", "0");
        assertThat(texts(plan(ColumnType.FLOAT32, "numeric", Destination.CLIENT), WireColumns.floats(0.1f)))
                .containsExactly("0.1");
        assertThat(texts(plan(ColumnType.FLOAT64, "numeric(10,2)", Destination.CLIENT),
                WireColumns.doubles(0.125, 1e9, Double.NaN, Double.NEGATIVE_INFINITY, 99999999.995)))
                .containsExactly("0.13",
                        "ERROR 22003: column \"v\", row 2: numeric field overflow: a field with precision 10, scale 2"
                                + " must round to an absolute value less than 10^8 (value 1000000000)",
                        "NaN",
                        "ERROR 22003: column \"v\", row 4: numeric field overflow: a field with precision 10, scale 2"
                                + " cannot hold an infinite value",
                        "ERROR 22003: column \"v\", row 5: numeric field overflow: a field with precision 10, scale 2"
                                + " must round to an absolute value less than 10^8 (value 100000000.00 after rounding)");
        assertThat(texts(plan(ColumnType.INT64, "numeric(21,2)", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT64, Long.MIN_VALUE))).containsExactly("-9223372036854775808.00");
        assertThat(texts(plan(ColumnType.INT64, "numeric(20,2)", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT64, Long.MIN_VALUE))).element(0).asString()
                .contains("less than 10^18 (value -9223372036854775808)");
        assertThat(texts(plan(ColumnType.DECIMAL, "numeric", Destination.CLIENT),
                WireColumns.texts(ColumnType.DECIMAL, List.of("1E+30", "-12.500", "1.5e-3", "NaN", "-Infinity"))))
                .containsExactly("1000000000000000000000000000000", "-12.500", "0.0015", "NaN", "-Infinity");
    }

    @Test
    void narrowingToRealChecksRange() throws PgException {
        assertThat(texts(plan(ColumnType.FLOAT64, "real", Destination.CLIENT),
                WireColumns.doubles(0.1, 1e39, 1e-50, Double.NaN, Double.NEGATIVE_INFINITY)))
                .containsExactly("0.1",
                        "ERROR 22003: column \"v\", row 2: value 1e+39 is out of range for type real (overflow)",
                        "ERROR 22003: column \"v\", row 3: value 1e-50 is out of range for type real (underflow)",
                        "NaN", "-Infinity");
        assertThat(texts(plan(ColumnType.INT64, "double precision", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT64, 9007199254740993L))).containsExactly("9.007199254740992e+15");
    }

    @Test
    void booleansAndIntegers() throws PgException {
        assertThat(texts(plan(ColumnType.BOOL, "integer", Destination.CLIENT), WireColumns.longs(ColumnType.BOOL, 1, 0)))
                .containsExactly("1", "0");
        assertThat(texts(plan(ColumnType.INT64, "boolean", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT64, 1, 0, 2))).containsExactly("t", "f",
                "ERROR 22003: column \"v\", row 3: value 2 is not 0 or 1, so type boolean cannot hold it");
        assertThat(texts(plan(ColumnType.BOOL, "text", Destination.CLIENT), WireColumns.longs(ColumnType.BOOL, 1, 0)))
                .containsExactly("true", "false");
    }

    @Test
    void anythingBecomesTextAndLengthsAreChecked() throws PgException {
        assertThat(texts(plan(ColumnType.FLOAT64, "text", Destination.CLIENT), WireColumns.doubles(0.1, 1e16)))
                .containsExactly("0.1", "1e+16");
        assertThat(texts(plan(ColumnType.BYTES, "text", Destination.CLIENT), WireColumns.bytes(new byte[] {1, -1})))
                .containsExactly("\\x01ff");
        assertThat(texts(plan(ColumnType.TEXT, "character varying(3)", Destination.CLIENT),
                WireColumns.texts(ColumnType.TEXT, List.of("abc", "abcd", "ab   ", "😀😀😀"))))
                .containsExactly("abc", "ERROR 22001: column \"v\", row 2: value too long for type"
                        + " character varying(3) (4 characters): \"abcd\"", "ab ", "😀😀😀");
        assertThat(texts(plan(ColumnType.TEXT, "character(4)", Destination.CLIENT),
                WireColumns.texts(ColumnType.TEXT, List.of("ab", "", "ü"))))
                .containsExactly("ab  ", "    ", "ü   ");
        assertThat(texts(plan(ColumnType.INT64, "character varying(3)", Destination.CLIENT),
                WireColumns.longs(ColumnType.INT64, 123, 1234))).element(1).asString().startsWith("ERROR 22001");
        assertThat(texts(plan(ColumnType.TEXT, "name", Destination.CLIENT),
                WireColumns.texts(ColumnType.TEXT, List.of("x".repeat(64))))).element(0).asString()
                .startsWith("ERROR 22001: column \"v\", row 1: value too long for type name (64 bytes, at most 63)");
        ColumnSpec array = new ColumnSpec("v", ColumnType.ARRAY, null, ColumnType.INT64);
        assertThat(texts(plan(array, "text", Destination.CLIENT, settings),
                WireColumns.longArrays(ColumnType.INT64, new Long[] {1L, null, 3L}))).containsExactly("{1,NULL,3}");
    }

    @Test
    void textCannotHoldNul() throws PgException {
        assertThat(texts(plan(ColumnType.TEXT, "text", Destination.CLIENT),
                WireColumns.texts(ColumnType.TEXT, List.of("a\0b")))).element(0).asString()
                .startsWith("ERROR 22021: column \"v\", row 1: invalid byte sequence for encoding \"UTF8\": 0x00");
    }

    @Test
    void datesAndTimestampsConvertWhereExact() throws PgException {
        long noon = 19_723L * 86_400_000_000L + 12L * 3_600_000_000L;     // 2024-01-01 12:00 since 1970
        long midnight = 19_723L * 86_400_000_000L;
        assertThat(texts(plan(ColumnType.TIMESTAMP, "date", Destination.CLIENT),
                WireColumns.longs(ColumnType.TIMESTAMP, midnight, noon, Long.MAX_VALUE)))
                .containsExactly("2024-01-01", "ERROR 22008: column \"v\", row 2: timestamp 2024-01-01 12:00:00 has a"
                        + " time of day, so type date cannot hold it exactly", "infinity");
        assertThat(texts(plan(ColumnType.DATE, "timestamp with time zone", Destination.CLIENT),
                WireColumns.longs(ColumnType.DATE, 19_723))).containsExactly("2024-01-01 00:00:00+00");
        SessionSettings berlin = settings.withTimeZone("Europe/Berlin");
        assertThat(texts(plan(WireColumns.spec(ColumnType.DATE), "timestamp with time zone", Destination.CLIENT,
                berlin), WireColumns.longs(ColumnType.DATE, 19_723))).containsExactly("2024-01-01 00:00:00+01");
        assertThat(texts(plan(WireColumns.spec(ColumnType.TIMESTAMPTZ), "date", Destination.CLIENT, berlin),
                WireColumns.longs(ColumnType.TIMESTAMPTZ, midnight - 3_600_000_000L))).containsExactly("2024-01-01");
        assertThat(texts(plan(WireColumns.spec(ColumnType.TIMESTAMPTZ), "timestamp", Destination.CLIENT, berlin),
                WireColumns.longs(ColumnType.TIMESTAMPTZ, noon))).containsExactly("2024-01-01 13:00:00");
        assertThat(texts(plan(ColumnType.TIMESTAMP, "timestamp", Destination.CLIENT),
                WireColumns.longs(ColumnType.TIMESTAMP, Long.MIN_VALUE + 1))).element(0).asString()
                .startsWith("ERROR 22008: column \"v\", row 1: timestamp out of range");
        assertThat(texts(plan(ColumnType.TIME, "interval", Destination.CLIENT),
                WireColumns.longs(ColumnType.TIME, 3_723_000_000L))).containsExactly("01:02:03");
        assertThat(texts(plan(ColumnType.TIME, "time", Destination.CLIENT),
                WireColumns.longs(ColumnType.TIME, -1))).element(0).asString().startsWith("ERROR 22008");
    }

    @Test
    void mismatchesFailUpFront() {
        assertThatThrownBy(() -> plan(ColumnType.BYTES, "integer", Destination.CLIENT))
                .isInstanceOf(PgException.class)
                .hasMessage("column \"v\": the script returns BYTES, which cannot be converted to the declared type"
                        + " integer")
                .satisfies(e -> assertThat(((PgException) e).sqlState()).isEqualTo(SqlState.OUTPUT_MISMATCH));
        assertThatThrownBy(() -> plan(ColumnType.DATE, "integer", Destination.COPY)).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> plan(ColumnType.UUID, "bytea", Destination.CLIENT)).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> plan(ColumnType.INT64, "uuid", Destination.CLIENT)).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> plan(ColumnType.FLOAT64, "date", Destination.CLIENT)).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> plan(ColumnType.FLOAT64, "inet", Destination.CLIENT)).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> plan(ColumnType.INT64, "integer[]", Destination.CLIENT))
                .isInstanceOf(PgException.class);
        ColumnSpec array = new ColumnSpec("v", ColumnType.ARRAY, "bytea[]", ColumnType.BYTES);
        assertThatThrownBy(() -> plan(array, "integer[]", Destination.CLIENT, settings))
                .hasMessageContaining("ARRAY of BYTES (bytea[])");
    }

    @Test
    void arraysConvertElementByElement() throws PgException {
        ColumnSpec longs = new ColumnSpec("v", ColumnType.ARRAY, null, ColumnType.INT64);
        ColumnVector values = WireColumns.longArrays(ColumnType.INT64, new Long[] {1L, null}, new Long[] {},
                new Long[] {1L << 40});
        assertThat(texts(plan(longs, "integer[]", Destination.CLIENT, settings), values))
                .containsExactly("{1,NULL}", "{}", "ERROR 22003: column \"v\", row 3: value 1099511627776 is out of"
                        + " range for type integer");
        ColumnSpec strings = new ColumnSpec("v", ColumnType.ARRAY, null, ColumnType.TEXT);
        assertThat(texts(plan(strings, "character varying(2)[]", Destination.CLIENT, settings),
                WireColumns.textArrays(new String[] {"ab", "a ", null, ""}, new String[] {"abc"})))
                .containsExactly("{ab,\"a \",NULL,\"\"}", "ERROR 22001: column \"v\", row 2: value too long for type"
                        + " character varying(2) (3 characters): \"abc\"");
    }

    @Test
    void typesOnlyPostgresCanCheckNeedAServerCast() throws PgException {
        PgType mood = new PgType(50000, "mood", 'e', 'E', 0, 0, 50001, 4, "mood", "public", -1);
        PgType posint = new PgType(50002, "posint", 'd', 'N', 0, Oids.INT4, 0, 4, "posint", "public", -1);
        catalog.add(mood);
        catalog.add(posint);
        OutputColumnPlan toClient = OutputTypes.plan("v", WireColumns.spec(ColumnType.TEXT), mood, -1,
                Destination.CLIENT, catalog, settings);
        assertThat(toClient.needsServerCast()).isTrue();
        assertThat(toClient.castTarget()).isEqualTo("\"public\".\"mood\"");
        assertThat(texts(toClient, WireColumns.texts(ColumnType.TEXT, List.of("happy")))).containsExactly("happy");
        assertThatThrownBy(() -> toClient.encoder(1)).isInstanceOf(IllegalArgumentException.class);
        OutputColumnPlan toTable = OutputTypes.plan("v", WireColumns.spec(ColumnType.TEXT), mood, -1,
                Destination.COPY, catalog, settings);
        assertThat(toTable.needsServerCast()).isFalse();

        OutputColumnPlan domain = OutputTypes.plan("v", WireColumns.spec(ColumnType.FLOAT64), posint, -1,
                Destination.CLIENT, catalog, settings);
        assertThat(domain.needsServerCast()).isTrue();
        assertThat(domain.rowDescriptionOid()).isEqualTo(Oids.INT4);
        assertThat(texts(domain, WireColumns.doubles(2.0, 2.5))).containsExactly("2",
                "ERROR 22003: column \"v\", row 2: value 2.5 is not an integer, so type integer cannot hold it exactly");
        assertThat(OutputTypes.plan("v", WireColumns.spec(ColumnType.FLOAT64), posint, -1, Destination.COPY, catalog,
                settings).needsServerCast()).isFalse();
        assertThatThrownBy(() -> OutputTypes.plan("v", WireColumns.spec(ColumnType.BYTES), posint, -1,
                Destination.CLIENT, catalog, settings)).hasMessageContaining("declared type posint");

        OutputColumnPlan inet = plan(ColumnType.TEXT, "inet", Destination.COPY);
        assertThat(inet.needsServerCast()).isTrue();
        assertThat(inet.castTarget()).isEqualTo("inet");
        OutputColumnPlan money = plan(ColumnType.DECIMAL, "money", Destination.CLIENT);
        assertThat(money.needsServerCast()).isTrue();
        assertThat(texts(money, WireColumns.texts(ColumnType.DECIMAL, List.of("1.5E+2")))).containsExactly("150");
        assertThat(plan(ColumnType.TEXT, "interval", Destination.CLIENT).needsServerCast()).isTrue();
        assertThat(plan(ColumnType.TEXT, "integer[]", Destination.CLIENT).needsServerCast()).isTrue();
        assertThatThrownBy(() -> OutputTypes.encoder("v", WireColumns.spec(ColumnType.TEXT),
                TypeCatalog.builtIn(Oids.INET), -1, 0, settings)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void timestamptzTextNeedsAZoneExtensaKnows() throws PgException {
        SessionSettings unknownZone = settings.withTimeZone("Not/AZone");
        assertThat(unknownZone.timeZone()).isNull();
        ColumnSpec spec = WireColumns.spec(ColumnType.TIMESTAMPTZ);
        assertThat(plan(spec, "timestamp with time zone", Destination.CLIENT, unknownZone).needsServerCast()).isTrue();
        OutputColumnPlan copy = plan(spec, "timestamp with time zone", Destination.COPY, unknownZone);
        assertThat(copy.needsServerCast()).isFalse();
        assertThat(texts(copy, WireColumns.longs(ColumnType.TIMESTAMPTZ, 0))).containsExactly("1970-01-01 00:00:00+00");
        assertThat(plan(WireColumns.spec(ColumnType.TIMESTAMP), "timestamp with time zone", Destination.COPY,
                unknownZone).needsServerCast()).isTrue();
        assertThat(plan(WireColumns.spec(ColumnType.TEXT), "text", Destination.CLIENT, unknownZone)
                .needsServerCast()).isFalse();
        OutputColumnPlan asText = plan(spec, "text", Destination.CLIENT, unknownZone);
        assertThat(asText.needsServerCast()).isFalse();
        assertThat(texts(asText, WireColumns.longs(ColumnType.TIMESTAMPTZ, 0))).containsExactly("1970-01-01 00:00:00+00");
    }

    @Test
    void textGoesOutInTheClientEncoding() throws PgException {
        SessionSettings latin1 = settings.withClientEncoding("LATIN1");
        OutputColumnPlan plan = plan(WireColumns.spec(ColumnType.TEXT), "text", Destination.CLIENT, latin1);
        ValueEncoder encoder = plan.encoder(0);
        FieldBuffer out = new FieldBuffer();
        encoder.encode(WireColumns.texts(ColumnType.TEXT, List.of("café")), 0, 1, out);
        assertThat(out.toByteArray()).isEqualTo("café".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> encoder.encode(WireColumns.texts(ColumnType.TEXT, List.of("中")), 0, 7, out))
                .isInstanceOf(PgException.class)
                .hasMessage("column \"v\", row 7: character 中 (U+4E2D) in encoding \"UTF8\" has no equivalent in"
                        + " encoding \"LATIN1\"");
    }

    @Test
    void binaryFormatsMatchPostgresSendFunctions() throws PgException {
        FieldBuffer out = new FieldBuffer();
        plan(ColumnType.INT64, "smallint", Destination.CLIENT).encoder(1)
                .encode(WireColumns.longs(ColumnType.INT64, -2), 0, 1, out);
        assertThat(out.toByteArray()).containsExactly(0xFF, 0xFE);
        out.clear();
        plan(ColumnType.DECIMAL, "numeric", Destination.CLIENT).encoder(1)
                .encode(WireColumns.texts(ColumnType.DECIMAL, List.of("-12345.678")), 0, 1, out);
        // ndigits 3, weight 1, sign 0x4000, dscale 3, digits 1 2345 6780
        assertThat(out.toByteArray()).containsExactly(0, 3, 0, 1, 0x40, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1A, 0x7C);
        out.clear();
        plan(ColumnType.JSON, "jsonb", Destination.CLIENT).encoder(1)
                .encode(WireColumns.texts(ColumnType.JSON, List.of("{\"b\":1,\"a\":2}")), 0, 1, out);
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).isEqualTo("\u0001{\"a\": 2, \"b\": 1}");
    }
}
