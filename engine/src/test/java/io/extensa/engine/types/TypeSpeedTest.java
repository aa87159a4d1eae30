package io.extensa.engine.types;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Speed of the hot paths, printed and never asserted (timings vary by machine): binary COPY
 * decoding of 1M rows x 3 float8 (the benchmark's input shape) and x 3 numeric(12,6), and
 * encoding 1M rows x 3 float8 as binary COPY (INSERT ... EXEC) and as text DataRow fields.
 */
class TypeSpeedTest {

    private static final int ROWS = 1_000_000;

    @Test
    void decodeFloat8() throws Exception {
        DeclaredType float8 = TypeCatalog.parseBuiltIn("double precision");
        List<InputColumnPlan> plans = plans(float8, 3);
        ByteBuffer stream = copyStream(ROWS, 3, (random, out) -> {
            out.putInt(8);
            out.putDouble(random.nextDouble());
        });
        time("decode 1M x 3 float8 (binary COPY, one CopyData per row)", plans, stream);
    }

    @Test
    void decodeNumeric() throws Exception {
        DeclaredType numeric = TypeCatalog.parseBuiltIn("numeric(12,6)");
        List<InputColumnPlan> plans = plans(numeric, 3);
        ByteBuffer stream = copyStream(ROWS, 3, (random, out) -> {
            // 123456.123456: ndigits 3, weight 1, sign +, dscale 6, digits 12 3456 1234 56 -> 4 groups
            out.putInt(8 + 8);
            out.putShort((short) 4);
            out.putShort((short) 1);
            out.putShort((short) 0);
            out.putShort((short) 6);
            out.putShort((short) random.nextInt(100));
            out.putShort((short) random.nextInt(10000));
            out.putShort((short) random.nextInt(10000));
            out.putShort((short) ((random.nextInt(99) + 1) * 100));
        });
        time("decode 1M x 3 numeric(12,6) (binary COPY)", plans, stream);
    }

    @Test
    void encodeFloat8() throws Exception {
        Batch batch = floatBatch(ROWS);
        ColumnSpec spec = ColumnSpec.of("v", ColumnType.FLOAT64, null);
        PgType float8 = TypeCatalog.builtIn(Oids.FLOAT8);
        ValueEncoder binary = OutputTypes.plan("v", spec, float8, -1, Destination.COPY, new TypeCatalog(),
                SessionSettings.DEFAULT).encoder(1);
        ValueEncoder text = OutputTypes.plan("v", spec, float8, -1, Destination.CLIENT, new TypeCatalog(),
                SessionSettings.DEFAULT).encoder(0);
        FieldBuffer out = new FieldBuffer(64 << 20);
        for (int round = 0; round < 6; round++) {
            out.clear();
            long start = System.nanoTime();
            CopyRows.binaryHeader(out);
            for (int row = 0; row < ROWS; row++) {
                CopyRows.binaryRowStart(out, 3);
                for (int c = 0; c < 3; c++) {
                    CopyRows.binaryField(out, binary, batch.column(c), row, row + 1);
                }
            }
            CopyRows.binaryTrailer(out);
            long binaryNanos = System.nanoTime() - start;
            start = System.nanoTime();
            long bytes = 0;
            for (int row = 0; row < ROWS; row++) {
                for (int c = 0; c < 3; c++) {
                    out.clear();
                    text.encode(batch.column(c), row, row + 1, out);
                    bytes += out.size();
                }
            }
            long textNanos = System.nanoTime() - start;
            System.out.printf("encode 1M x 3 float8: binary COPY %d ms, text fields %d ms (%d bytes)%s%n",
                    binaryNanos / 1_000_000, textNanos / 1_000_000, bytes, round < 3 ? " (warm-up)" : "");
        }
    }

    private static Batch floatBatch(int rows) {
        List<ColumnBuilder> builders = new ArrayList<>();
        Random random = new Random(1);
        for (int c = 0; c < 3; c++) {
            ColumnBuilder builder = ColumnBuilder.create(ColumnType.FLOAT64);
            for (int r = 0; r < rows; r++) {
                builder.appendDouble(random.nextDouble() * 1000);
            }
            builders.add(builder);
        }
        BatchBuilder batch = new BatchBuilder(builders, Long.MAX_VALUE, Integer.MAX_VALUE);
        for (int r = 0; r < rows; r++) {
            batch.endRow();
        }
        return batch.build();
    }

    private interface FieldWriter {
        void write(Random random, ByteBuffer out);
    }

    private static List<InputColumnPlan> plans(DeclaredType type, int columns) throws Exception {
        List<InputColumnPlan> plans = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            plans.add(InputTypes.plan("c" + c, type.type(), type.typmod(), new TypeCatalog()));
        }
        return plans;
    }

    /** A binary COPY stream: 19-byte header, rows, trailer. */
    private static ByteBuffer copyStream(int rows, int columns, FieldWriter field) {
        ByteBuffer out = ByteBuffer.allocate(19 + rows * (2 + columns * 24) + 2);
        out.put(CopyBinaryReader.SIGNATURE).putInt(0).putInt(0);
        Random random = new Random(3);
        for (int r = 0; r < rows; r++) {
            out.putShort((short) columns);
            for (int c = 0; c < columns; c++) {
                field.write(random, out);
            }
        }
        out.putShort((short) -1);
        out.flip();
        return out;
    }

    /** Feeds the stream as PostgreSQL does: the header alone, then one message per row, then the trailer. */
    private static void time(String what, List<InputColumnPlan> plans, ByteBuffer stream) throws Exception {
        int rowLength = -1;
        for (int round = 0; round < 8; round++) {
            BatchBuilder batch = InputTypes.newBatch(plans);
            long[] rows = {0};
            CopyBinaryReader reader = new CopyBinaryReader(plans, batch, b -> rows[0] += b.rowCount());
            ByteBuffer message = stream.duplicate();
            long start = System.nanoTime();
            message.position(0).limit(19);
            reader.data(message);
            int pos = 19;
            int end = stream.limit() - 2;
            while (pos < end) {
                int length = rowLength > 0 ? rowLength : rowLength(stream, pos, plans.size());
                rowLength = length;
                message.limit(pos + length).position(pos);
                reader.data(message);
                pos += length;
            }
            message.limit(stream.limit()).position(end);
            reader.data(message);
            long total = reader.finish();
            long nanos = System.nanoTime() - start;
            assertThat(total).isEqualTo(ROWS);
            assertThat(rows[0]).isEqualTo(ROWS);
            System.out.printf("%s: %d ms%s%n", what, nanos / 1_000_000, round < 3 ? " (warm-up)" : "");
        }
    }

    private static int rowLength(ByteBuffer stream, int pos, int columns) {
        int p = pos + 2;
        for (int c = 0; c < columns; c++) {
            int length = stream.getInt(p);
            p += 4 + Math.max(length, 0);
        }
        return p - pos;
    }
}
