package io.extensa.protocol.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.extensa.protocol.golden.NeutralValues;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Batch roundTrip(BatchBuilder builder) throws ProtocolException {
        ByteBuffer payload = builder.encode().toByteBuffer();
        return Batch.decode(new FieldCursor(payload, "batch"));
    }

    @Test
    void everyScalarTypeWithNullsAndEdges() throws Exception {
        Object[][] cases = {
                {ColumnType.BOOL, "[true, null, false]"},
                {ColumnType.INT16, "[32767, -32768, null, 0]"},
                {ColumnType.INT32, "[2147483647, null, -2147483648]"},
                {ColumnType.INT64, "[\"9223372036854775807\", null, \"-9223372036854775808\"]"},
                {ColumnType.FLOAT32, "[\"NaN\", \"Infinity\", \"-Infinity\", null, -0.0, 1.4E-45]"},
                {ColumnType.FLOAT64, "[\"NaN\", \"Infinity\", \"-Infinity\", null, -0.0, 4.9E-324]"},
                {ColumnType.DECIMAL, "[\"NaN\", \"-0.000\", null, \"1E-7\", \".5\", \"+3.\"]"},
                {ColumnType.TEXT, "[\"\", null, \"\\u00e9\\ud83d\\ude00\", \"\\u0000\"]"},
                {ColumnType.BYTES, "[\"\", null, \"00ff\"]"},
                {ColumnType.DATE, "[2147483647, -2147483648, null, 0]"},
                {ColumnType.TIMESTAMP, "[\"9223372036854775807\", null, \"-1\"]"},
                {ColumnType.TIMESTAMPTZ, "[\"-9223372036854775808\", null, \"1\"]"},
                {ColumnType.TIME, "[\"0\", null, \"86400000000\"]"},
                {ColumnType.INTERVAL, "[{\"micros\": \"-9223372036854775808\", \"days\": -2147483648,"
                        + " \"months\": 2147483647}, null]"},
                {ColumnType.UUID, "[\"123e4567-e89b-12d3-a456-426614174000\", null]"},
                {ColumnType.JSON, "[\"{}\", \"null\", null]"},
        };
        for (Object[] c : cases) {
            ColumnType type = (ColumnType) c[0];
            JsonNode values = JSON.readTree((String) c[1]);
            BatchBuilder builder = new BatchBuilder(List.of(ColumnBuilder.create(type)));
            for (JsonNode v : values) {
                NeutralValues.append(builder.column(0), v);
                builder.endRow();
            }
            Batch batch = roundTrip(builder);
            List<JsonNode> want = new ArrayList<>();
            values.forEach(v -> want.add(NeutralValues.normalize(type, null, v)));
            List<JsonNode> got = new ArrayList<>();
            NeutralValues.values(batch.column(0)).forEach(got::add);
            assertThat(got).as(type.name()).isEqualTo(want);
            // the builder's own view reads the same
            List<JsonNode> built = new ArrayList<>();
            NeutralValues.values(builder.build().column(0)).forEach(built::add);
            assertThat(built).as(type.name() + " built").isEqualTo(want);
        }
    }

    @Test
    void nullSlotsOfFixedWidthTypesAreZero() throws ProtocolException {
        BatchBuilder builder = BatchBuilder.of(ColumnType.INT64, ColumnType.INTERVAL);
        builder.column(0).appendLong(-1);
        builder.column(1).appendInterval(-1, -1, -1);
        builder.endRow();
        builder.column(0).appendNull();
        builder.column(1).appendNull();
        builder.endRow();
        Batch batch = roundTrip(builder);
        assertThat(batch.column(0).getLong(1)).isZero();
        assertThat(batch.column(1).getIntervalMicros(1)).isZero();
        assertThat(batch.column(1).getIntervalMonths(1)).isZero();
        assertThat(batch.column(0).nullCount()).isEqualTo(1);
        assertThat(batch.column(0).isNull(0)).isFalse();
        assertThat(batch.column(0).isNull(1)).isTrue();
    }

    @Test
    void uuidIsStoredInRfc4122ByteOrder() throws ProtocolException {
        UUID uuid = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
        ColumnBuilder a = ColumnBuilder.create(ColumnType.UUID);
        a.appendUuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
        byte[] raw = new byte[16];
        a.build().data().get(raw);
        assertThat(raw).containsExactly(0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                0xdd, 0xee, 0xff);
        ColumnBuilder b = ColumnBuilder.create(ColumnType.UUID);
        b.appendBytes(raw);
        assertThat(b.build().getUuid(0)).isEqualTo(uuid);
    }

    @Test
    void arraysWithShapesNullsAndEmptyRows() throws ProtocolException {
        ArrayColumnBuilder array = ColumnBuilder.forArray(ColumnType.INT32);
        BatchBuilder builder = new BatchBuilder(List.of(array));
        array.child().appendInt(1);
        array.child().appendInt(2);
        array.endArray();
        builder.endRow();
        array.appendNull();
        builder.endRow();
        array.endArray();
        builder.endRow();
        for (int i = 0; i < 6; i++) {
            if (i == 4) {
                array.child().appendNull();
            } else {
                array.child().appendInt(i);
            }
        }
        array.endArray(2, 3);
        builder.endRow();
        Batch batch = roundTrip(builder);
        ColumnVector column = batch.column(0);
        assertThat(column.hasShapes()).isTrue();
        assertThat(column.dimensions(0)).containsExactly(2);
        assertThat(column.dimensions(1)).isEmpty();
        assertThat(column.isNull(1)).isTrue();
        assertThat(column.dimensions(2)).isEmpty();
        assertThat(column.isNull(2)).isFalse();
        assertThat(column.dimensions(3)).containsExactly(2, 3);
        assertThat(column.valueOffset(3)).isEqualTo(2);
        assertThat(column.valueLength(3)).isEqualTo(6);
        assertThat(column.child().isNull(6)).isTrue();
        assertThat(column.child().getInt(7)).isEqualTo(5);
    }

    @Test
    void oneDimensionalArraysOmitShapes() throws ProtocolException {
        ArrayColumnBuilder array = ColumnBuilder.forArray(ColumnType.TEXT);
        array.child().appendUtf8("a");
        array.endArray();
        array.endArray();
        BatchBuilder builder = new BatchBuilder(List.of(array));
        builder.endRow();
        builder.endRow();
        Batch batch = roundTrip(builder);
        assertThat(batch.column(0).hasShapes()).isFalse();
        assertThat(batch.column(0).dimensions(0)).containsExactly(1);
        assertThat(batch.column(0).dimensions(1)).isEmpty();
    }

    @Test
    void emptyBatchAndZeroColumns() throws ProtocolException {
        BatchBuilder empty = new BatchBuilder(List.of(ColumnBuilder.create(ColumnType.TEXT),
                ColumnBuilder.forArray(ColumnType.INT16), ColumnBuilder.create(ColumnType.FLOAT64)));
        Batch decoded = roundTrip(empty);
        assertThat(decoded.rowCount()).isZero();
        assertThat(decoded.columnCount()).isEqualTo(3);

        BatchBuilder noColumns = new BatchBuilder(List.of());
        for (int i = 0; i < 7; i++) {
            noColumns.endRow();
        }
        Batch rowsOnly = roundTrip(noColumns);
        assertThat(rowsOnly.rowCount()).isEqualTo(7);
        assertThat(rowsOnly.columnCount()).isZero();
    }

    @Test
    void fiveHundredColumns() throws ProtocolException {
        List<ColumnBuilder> columns = new ArrayList<>();
        for (int c = 0; c < 500; c++) {
            columns.add(ColumnBuilder.create(c % 2 == 0 ? ColumnType.INT32 : ColumnType.TEXT));
        }
        BatchBuilder builder = new BatchBuilder(columns);
        for (int row = 0; row < 10; row++) {
            for (int c = 0; c < 500; c++) {
                if (c % 2 == 0) {
                    builder.column(c).appendInt(row * 1000 + c);
                } else if (row == c % 10) {
                    builder.column(c).appendNull();
                } else {
                    builder.column(c).appendUtf8("r" + row + "c" + c);
                }
            }
            builder.endRow();
        }
        Batch batch = roundTrip(builder);
        assertThat(batch.columnCount()).isEqualTo(500);
        assertThat(batch.column(498).getInt(9)).isEqualTo(9498);
        assertThat(batch.column(499).getUtf8(8)).isEqualTo("r8c499");
        assertThat(batch.column(499).isNull(9)).isTrue();
    }

    @Test
    void tenMegabyteStringAndUnicode() throws ProtocolException {
        String big = "\u00e9x".repeat(5 * 1024 * 1024);
        String emoji = "\ud83c\udf89\u65e5\u672c\u8a9e";
        BatchBuilder builder = BatchBuilder.of(ColumnType.TEXT);
        builder.column(0).appendUtf8(big);
        builder.endRow();
        builder.column(0).appendUtf8(emoji);
        builder.endRow();
        assertThat(builder.byteSize()).isGreaterThan(15L * 1024 * 1024);
        assertThat(builder.isFull()).isTrue();
        Batch batch = roundTrip(builder);
        assertThat(batch.column(0).valueLength(0)).isEqualTo(15 * 1024 * 1024);
        assertThat(batch.column(0).getUtf8(0)).isEqualTo(big);
        assertThat(batch.column(0).getUtf8(1)).isEqualTo(emoji);
        assertThat(batch.column(0).slice(1)).isEqualTo(ByteBuffer.wrap(emoji.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void builderIsReusableAfterReset() throws ProtocolException {
        BatchBuilder builder = BatchBuilder.of(ColumnType.INT32, ColumnType.TEXT);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                if (round == 1 && i == 5) {
                    builder.column(0).appendNull();
                } else {
                    builder.column(0).appendInt(round * 100 + i);
                }
                builder.column(1).appendUtf8("v" + i);
                builder.endRow();
            }
            Batch batch = roundTrip(builder);
            assertThat(batch.rowCount()).isEqualTo(100);
            assertThat(batch.column(0).nullCount()).isEqualTo(round == 1 ? 1 : 0);
            assertThat(batch.column(0).getInt(99)).isEqualTo(round * 100 + 99);
            assertThat(batch.column(1).getUtf8(0)).isEqualTo("v0");
            builder.reset();
            assertThat(builder.rowCount()).isZero();
        }
    }

    @Test
    void rowAndByteLimitsMarkTheBatchFull() {
        BatchBuilder rows = new BatchBuilder(List.of(ColumnBuilder.create(ColumnType.INT64)), 1 << 30, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(rows.isFull()).isFalse();
            rows.column(0).appendLong(i);
            rows.endRow();
        }
        assertThat(rows.isFull()).isTrue();
        BatchBuilder bytes = new BatchBuilder(List.of(ColumnBuilder.create(ColumnType.BYTES)), 4096, 1 << 20);
        bytes.column(0).appendBytes(new byte[5000]);
        bytes.endRow();
        assertThat(bytes.isFull()).isTrue();
    }

    @Test
    void misuseIsRejected() {
        ColumnBuilder ints = ColumnBuilder.create(ColumnType.INT32);
        assertThatThrownBy(() -> ints.appendLong(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("INT32");
        assertThatThrownBy(() -> ColumnBuilder.create(ColumnType.ARRAY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ColumnBuilder.forArray(ColumnType.ARRAY)).isInstanceOf(IllegalArgumentException.class);
        ColumnBuilder text = ColumnBuilder.create(ColumnType.TEXT);
        assertThatThrownBy(() -> text.appendUtf8("bad \ud800 surrogate")).isInstanceOf(IllegalArgumentException.class);
        ArrayColumnBuilder array = ColumnBuilder.forArray(ColumnType.INT32);
        array.child().appendInt(1);
        assertThatThrownBy(() -> array.endArray(2, 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(array::appendNull).isInstanceOf(IllegalStateException.class);
        BatchBuilder uneven = BatchBuilder.of(ColumnType.INT32);
        uneven.endRow();
        assertThatThrownBy(uneven::build).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void encodingReferencesLargeBuffersInsteadOfCopying() {
        BatchBuilder builder = BatchBuilder.of(ColumnType.FLOAT64);
        for (int i = 0; i < 10_000; i++) {
            builder.column(0).appendDouble(i);
            builder.endRow();
        }
        PayloadBuilder payload = builder.encode();
        long referenced = 0;
        for (ByteBuffer b : payload.buffers()) {
            if (b.hasArray() && b.remaining() == 80_000) {
                referenced++;
            }
        }
        assertThat(referenced).as("the data buffer is one segment of the payload").isEqualTo(1);
    }
}
