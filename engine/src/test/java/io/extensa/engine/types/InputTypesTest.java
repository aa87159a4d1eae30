package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputTypesTest {

    private final TypeCatalog catalog = new TypeCatalog();

    private InputColumnPlan plan(String column, int oid, int typmod) throws PgException {
        return InputTypes.plan(column, TypeCatalog.builtIn(oid), typmod, catalog);
    }

    private static PgException failure(ThrowingPlan plan) {
        try {
            plan.run();
        } catch (PgException e) {
            return e;
        }
        throw new AssertionError("no error");
    }

    private interface ThrowingPlan {
        void run() throws PgException;
    }

    @Test
    void decodersWithScratchSpaceGetTheirOwnForAnotherThread() throws PgException {
        // the parallel input read decodes on several threads: numeric and array decoders keep scratch
        // space, which two threads garbled when they shared one decoder
        InputColumnPlan numeric = plan("n", Oids.NUMERIC, -1);
        InputColumnPlan numerics = plan("a", Oids.NUMERIC_ARRAY, -1);
        InputColumnPlan float8 = plan("f", Oids.FLOAT8, -1);
        assertThat(numeric.forAnotherThread().decoder()).isNotSameAs(numeric.decoder())
                .isInstanceOf(numeric.decoder().getClass());
        assertThat(numerics.forAnotherThread().decoder()).isNotSameAs(numerics.decoder());
        assertThat(numeric.forAnotherThread()).extracting(InputColumnPlan::spec, InputColumnPlan::type)
                .containsExactly(numeric.spec(), numeric.type());
        assertThat(float8.forAnotherThread()).isSameAs(float8);
    }

    @Test
    void mapsEveryBuiltInType() throws PgException {
        int[][] expected = {
            {Oids.BOOL, ColumnType.BOOL.code()}, {Oids.INT2, ColumnType.INT16.code()},
            {Oids.INT4, ColumnType.INT32.code()}, {Oids.INT8, ColumnType.INT64.code()},
            {Oids.OID, ColumnType.INT64.code()}, {Oids.FLOAT4, ColumnType.FLOAT32.code()},
            {Oids.FLOAT8, ColumnType.FLOAT64.code()}, {Oids.NUMERIC, ColumnType.DECIMAL.code()},
            {Oids.TEXT, ColumnType.TEXT.code()}, {Oids.VARCHAR, ColumnType.TEXT.code()},
            {Oids.BPCHAR, ColumnType.TEXT.code()}, {Oids.NAME, ColumnType.TEXT.code()},
            {Oids.CHAR, ColumnType.TEXT.code()}, {Oids.BYTEA, ColumnType.BYTES.code()},
            {Oids.DATE, ColumnType.DATE.code()}, {Oids.TIMESTAMP, ColumnType.TIMESTAMP.code()},
            {Oids.TIMESTAMPTZ, ColumnType.TIMESTAMPTZ.code()}, {Oids.TIME, ColumnType.TIME.code()},
            {Oids.INTERVAL, ColumnType.INTERVAL.code()}, {Oids.UUID, ColumnType.UUID.code()},
            {Oids.JSON, ColumnType.JSON.code()}, {Oids.JSONB, ColumnType.JSON.code()},
            {Oids.INT4_ARRAY, ColumnType.ARRAY.code()}};
        for (int[] pair : expected) {
            assertThat(plan("c", pair[0], -1).wireType().code()).as("oid %d", pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void describesTypesAsFormatTypeDoes() throws PgException {
        assertThat(plan("c", Oids.NUMERIC, TypeNames.numericTypmod(12, 6)).spec().pgType()).isEqualTo("numeric(12,6)");
        assertThat(plan("c", Oids.INT4_ARRAY, -1).spec().pgType()).isEqualTo("integer[]");
        assertThat(plan("c", Oids.VARCHAR_ARRAY, TypeNames.characterTypmod(20)).spec().pgType())
                .isEqualTo("character varying(20)[]");
        assertThat(plan("c", Oids.TIMESTAMPTZ, 3).spec().pgType()).isEqualTo("timestamp(3) with time zone");
        assertThat(plan("c", Oids.INT4_ARRAY, -1).spec().elementType()).isEqualTo(ColumnType.INT32);
    }

    @Test
    void enumsAndDomainsKeepTheirNames() throws PgException {
        PgType mood = new PgType(50000, "mood", 'e', 'E', 0, 0, 50001, 4, "mood", "public", -1);
        PgType moods = new PgType(50001, "mood[]", 'b', 'A', 50000, 0, 0, -1, "_mood", "public", -1);
        PgType shortText = new PgType(50002, "short_text", 'd', 'S', 0, Oids.VARCHAR, 50003, -1, "short_text",
                "public", TypeNames.characterTypmod(5));
        PgType ints = new PgType(50004, "int_list", 'd', 'A', 0, Oids.INT4_ARRAY, 0, -1, "int_list", "public", -1);
        PgType shortTexts = new PgType(50003, "short_text[]", 'b', 'A', 50002, 0, 0, -1, "_short_text", "public", -1);
        for (PgType t : new PgType[] {mood, moods, shortText, ints, shortTexts}) {
            catalog.add(t);
        }
        assertThat(InputTypes.plan("m", mood, -1, catalog).spec()).satisfies(s -> {
            assertThat(s.type()).isEqualTo(ColumnType.TEXT);
            assertThat(s.pgType()).isEqualTo("mood");
        });
        assertThat(InputTypes.plan("m", moods, -1, catalog).spec()).satisfies(s -> {
            assertThat(s.type()).isEqualTo(ColumnType.ARRAY);
            assertThat(s.elementType()).isEqualTo(ColumnType.TEXT);
            assertThat(s.pgType()).isEqualTo("mood[]");
        });
        assertThat(InputTypes.plan("s", shortText, -1, catalog).spec().pgType()).isEqualTo("short_text");
        assertThat(InputTypes.plan("s", shortTexts, -1, catalog).spec().elementType()).isEqualTo(ColumnType.TEXT);
        assertThat(InputTypes.plan("l", ints, -1, catalog).spec()).satisfies(s -> {
            assertThat(s.type()).isEqualTo(ColumnType.ARRAY);
            assertThat(s.elementType()).isEqualTo(ColumnType.INT32);
            assertThat(s.pgType()).isEqualTo("int_list");
        });
    }

    @Test
    void rejectsUnmappableTypesWithACast() {
        assertThat(failure(() -> plan("addr", Oids.INET, -1))).satisfies(e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.DATATYPE_MISMATCH);
            assertThat(e.getMessage()).isEqualTo("column \"addr\" has type inet, which Extensa cannot pass to a"
                    + " script; cast it, e.g. addr::text");
        });
        assertThat(failure(() -> plan("price", Oids.MONEY, -1)).getMessage()).endsWith("price::numeric");
        assertThat(failure(() -> plan("t", Oids.TIMETZ, -1)).getMessage()).endsWith("t::time or t::text");
        assertThat(failure(() -> plan("Mixed Case", 600, -1)).getMessage())
                .contains("type point").endsWith("\"Mixed Case\"::text");
        assertThat(failure(() -> plan("r", 3904, -1)).getMessage()).contains("int4range").endsWith("r::text");
        assertThat(failure(() -> plan("a", 1041, -1)).getMessage()).contains("inet[]").endsWith("a::text[]");
        assertThat(failure(() -> plan("m", 791, -1)).getMessage()).endsWith("m::numeric[]");
        assertThat(failure(() -> plan("x", Oids.XML, -1)).getMessage()).endsWith("x::text");
        assertThat(failure(() -> plan("rec", Oids.RECORD, -1)).getMessage()).endsWith("rec::text");
        PgType composite = new PgType(60000, "pair", 'c', 'C', 0, 0, 60001, -1, "pair", "public", -1);
        assertThat(failure(() -> InputTypes.plan("p", composite, -1, catalog)).getMessage())
                .contains("type pair").endsWith("p::text");
    }

    private static ColumnVector decode(InputColumnPlan plan, byte[]... fields) throws PgException {
        ColumnBuilder builder = plan.newBuilder();
        for (byte[] field : fields) {
            if (field == null) {
                builder.appendNull();
            } else {
                plan.decoder().decode(ByteBuffer.wrap(field), builder);
            }
        }
        return builder.build();
    }

    private static byte[] numeric(int weight, int sign, int dscale, int... digits) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * digits.length);
        b.putShort((short) digits.length).putShort((short) weight).putShort((short) sign).putShort((short) dscale);
        for (int d : digits) {
            b.putShort((short) d);
        }
        return b.array();
    }

    @Test
    void decodesNumericEdgeCases() throws PgException {
        ColumnVector v = decode(plan("n", Oids.NUMERIC, -1),
                numeric(0, 0, 0),                      // 0
                numeric(0, 0, 3),                      // 0.000
                numeric(-1, 0, 4, 1234),               // 0.1234
                numeric(-2, 0x4000, 6, 1200),          // -0.000012
                numeric(1, 0, 2, 1, 2345, 6700),       // 12345.67
                numeric(2, 0, 0, 1),                   // 100000000
                numeric(0, 0, 10, 5),                  // 5.0000000000
                numeric(0, 0xC000, 0),                 // NaN
                numeric(0, 0xD000, 0),                 // Infinity
                numeric(0, 0xF000, 0),                 // -Infinity
                numeric(-3, 0, 12, 1),                 // 0.000000000001
                numeric(0, 0, 1, 9999, 9000));         // 9999.9
        String[] expected = {"0", "0.000", "0.1234", "-0.000012", "12345.67", "100000000", "5.0000000000", "NaN",
            "Infinity", "-Infinity", "0.000000000001", "9999.9"};
        for (int i = 0; i < expected.length; i++) {
            assertThat(v.getUtf8(i)).as("value %d", i).isEqualTo(expected[i]);
        }
        assertThatThrownBy(() -> decode(plan("n", Oids.NUMERIC, -1), numeric(0, 0x1234, 0)))
                .hasMessageContaining("invalid numeric sign");
        assertThatThrownBy(() -> decode(plan("n", Oids.NUMERIC, -1), numeric(0, 0, 0, 10000)))
                .hasMessageContaining("invalid numeric digit");
    }

    @Test
    void shiftsDatesAndTimestampsToTheUnixEpoch() throws PgException {
        ColumnVector dates = decode(plan("d", Oids.DATE, -1), ints(0), ints(-10957), ints(Integer.MAX_VALUE),
                ints(Integer.MIN_VALUE), null);
        assertThat(dates.getInt(0)).isEqualTo(10957);
        assertThat(dates.getInt(1)).isEqualTo(0);
        assertThat(dates.getInt(2)).isEqualTo(ColumnType.DATE_POSITIVE_INFINITY);
        assertThat(dates.getInt(3)).isEqualTo(ColumnType.DATE_NEGATIVE_INFINITY);
        assertThat(dates.isNull(4)).isTrue();
        ColumnVector stamps = decode(plan("t", Oids.TIMESTAMPTZ, -1), longs(0), longs(Long.MAX_VALUE),
                longs(Long.MIN_VALUE), longs(-946684800000000L));
        assertThat(stamps.getLong(0)).isEqualTo(946684800000000L);
        assertThat(stamps.getLong(1)).isEqualTo(ColumnType.TIMESTAMP_POSITIVE_INFINITY);
        assertThat(stamps.getLong(2)).isEqualTo(ColumnType.TIMESTAMP_NEGATIVE_INFINITY);
        assertThat(stamps.getLong(3)).isZero();
    }

    @Test
    void refusesTimestampsTheWireCannotHold() {
        // 294276-12-31 23:59:59 is valid in PostgreSQL but beyond int64 microseconds since 1970
        PgException e = failure(() -> decode(plan("ts", Oids.TIMESTAMP, -1), longs(9223371331199000000L)));
        assertThat(e.sqlState()).isEqualTo(SqlState.DATETIME_FIELD_OVERFLOW);
        assertThat(e.getMessage()).contains("column \"ts\"").contains("294276-12-31 23:59:59")
                .endsWith("ts::text");
    }

    @Test
    void readsJsonbPastItsVersionByte() throws PgException {
        byte[] jsonb = {1, '{', '}'};
        assertThat(decode(plan("j", Oids.JSONB, -1), jsonb).getUtf8(0)).isEqualTo("{}");
        assertThatThrownBy(() -> decode(plan("j", Oids.JSONB, -1), new byte[] {2, '1'}))
                .hasMessageContaining("unsupported jsonb version 2");
    }

    @Test
    void showsTheInternalCharTypeAsPostgresDoes() throws PgException {
        ColumnVector v = decode(plan("c", Oids.CHAR, -1), new byte[] {'a'}, new byte[] {0}, new byte[] {(byte) 0xE9},
                new byte[0]);
        assertThat(v.getUtf8(0)).isEqualTo("a");
        assertThat(v.getUtf8(1)).isEmpty();
        assertThat(v.getUtf8(2)).isEqualTo("\\351");
        assertThat(v.getUtf8(3)).isEmpty();
    }

    @Test
    void convertsTextFromTheClientEncoding() throws PgException {
        SessionSettings latin1 = SessionSettings.DEFAULT.withClientEncoding("LATIN1");
        InputColumnPlan plan = InputTypes.plan("t", TypeCatalog.builtIn(Oids.TEXT), -1, catalog, latin1);
        ColumnVector v = decode(plan, "café".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(v.getUtf8(0)).isEqualTo("café");
        SessionSettings sqlAscii = SessionSettings.DEFAULT.withClientEncoding("SQL_ASCII");
        InputColumnPlan raw = InputTypes.plan("t", TypeCatalog.builtIn(Oids.TEXT), -1, catalog, sqlAscii);
        assertThat(decode(raw, "ok ü".getBytes(StandardCharsets.UTF_8)).getUtf8(0)).isEqualTo("ok ü");
        assertThat(failure(() -> decode(raw, new byte[] {'a', (byte) 0xFF})).sqlState())
                .isEqualTo(SqlState.CHARACTER_NOT_IN_REPERTOIRE);
        SessionSettings mule = SessionSettings.DEFAULT.withClientEncoding("MULE_INTERNAL");
        assertThat(failure(() -> InputTypes.plan("t", TypeCatalog.builtIn(Oids.TEXT), -1, catalog, mule))
                .sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED);
    }

    @Test
    void decodesMultiDimensionalArraysIntoShapes() throws PgException {
        // int4[2][3] with a NULL, lower bounds 0 and 5 (dropped)
        ByteBuffer b = ByteBuffer.allocate(12 + 16 + 6 * 8 - 4);
        b.putInt(2).putInt(1).putInt(Oids.INT4).putInt(2).putInt(0).putInt(3).putInt(5);
        for (int i = 0; i < 6; i++) {
            if (i == 4) {
                b.putInt(-1);
            } else {
                b.putInt(4).putInt(i);
            }
        }
        ColumnVector v = decode(plan("a", Oids.INT4_ARRAY, -1), b.array(), emptyArray());
        assertThat(v.dimensions(0)).containsExactly(2, 3);
        assertThat(v.valueLength(0)).isEqualTo(6);
        assertThat(v.child().isNull(4)).isTrue();
        assertThat(v.child().getInt(5)).isEqualTo(5);
        assertThat(v.dimensions(1)).isEmpty();
        assertThatThrownBy(() -> decode(plan("a", Oids.INT4_ARRAY, -1), java.util.Arrays.copyOf(b.array(), 30)))
                .hasMessageContaining("truncated");
    }

    private static byte[] emptyArray() {
        return ByteBuffer.allocate(12).putInt(0).putInt(0).putInt(Oids.INT4).array();
    }

    private static byte[] ints(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] longs(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
