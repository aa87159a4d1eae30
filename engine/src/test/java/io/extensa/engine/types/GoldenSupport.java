package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Round trips between a real PostgreSQL and the type mapping, for the golden tests. */
final class GoldenSupport {

    private GoldenSupport() {
    }

    /** A query's single column read with binary COPY into one wire batch (pieces cut at random). */
    record Decoded(InputColumnPlan plan, Batch batch) {
        ColumnVector column() {
            return batch.column(0);
        }
    }

    static Decoded decode(ScratchPostgres pg, String query, DeclaredType type, long seed, String... setup)
            throws PgException {
        byte[] copy = pg.copyOutBinary(query, setup);
        InputColumnPlan plan = InputTypes.plan("v", type.type(), type.typmod(), new TypeCatalog());
        return new Decoded(plan, read(List.of(plan), copy, seed));
    }

    /** Feeds a binary COPY stream in random pieces and returns everything as one batch. */
    static Batch read(List<InputColumnPlan> plans, byte[] copy, long seed) throws PgException {
        BatchBuilder batch = InputTypes.newBatch(plans, Long.MAX_VALUE, Integer.MAX_VALUE);
        List<Integer> sent = new ArrayList<>();
        CopyBinaryReader reader = new CopyBinaryReader(plans, batch, b -> sent.add(b.rowCount()));
        Random random = new Random(seed);
        int pos = 0;
        while (pos < copy.length) {
            int piece = seed == 0 ? copy.length : Math.min(copy.length - pos, 1 + random.nextInt(40));
            reader.data(ByteBuffer.wrap(copy, pos, piece).slice());
            pos += piece;
        }
        // finish() would hand the rows to the sink and reset the builder: take the batch first
        Batch result = batch.build();
        return result;
    }

    /** Every row of a column as PostgreSQL text (null for NULL), through an output encoder. */
    static List<String> texts(ColumnVector column, ValueEncoder encoder) throws PgException {
        List<String> out = new ArrayList<>();
        FieldBuffer buffer = new FieldBuffer();
        for (int row = 0; row < column.rowCount(); row++) {
            if (column.isNull(row)) {
                out.add(null);
                continue;
            }
            buffer.clear();
            encoder.encode(column, row, row + 1, buffer);
            out.add(new String(buffer.array(), 0, buffer.size(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A binary COPY stream of one column, every row through the encoder. */
    static byte[] copyBinary(ColumnVector column, ValueEncoder encoder) throws PgException {
        FieldBuffer out = new FieldBuffer();
        CopyRows.binaryHeader(out);
        for (int row = 0; row < column.rowCount(); row++) {
            CopyRows.binaryRowStart(out, 1);
            CopyRows.binaryField(out, encoder, column, row, row + 1);
        }
        CopyRows.binaryTrailer(out);
        return out.toByteArray();
    }

    /** A text COPY stream of one column. */
    static byte[] copyText(ColumnVector column, ValueEncoder encoder) throws PgException {
        FieldBuffer out = new FieldBuffer();
        FieldBuffer scratch = new FieldBuffer();
        for (int row = 0; row < column.rowCount(); row++) {
            CopyRows.textField(out, scratch, true, encoder, column, row, row + 1);
            CopyRows.textRowEnd(out);
        }
        return out.toByteArray();
    }

    static OutputColumnPlan natural(ColumnSpec spec, DeclaredType target, SessionSettings settings,
                                    Destination destination) throws PgException {
        return OutputTypes.plan("v", spec, target.type(), target.typmod(), destination, new TypeCatalog(), settings);
    }

    static List<String> column(List<List<String>> rows) {
        List<String> out = new ArrayList<>();
        for (List<String> row : rows) {
            out.add(row.get(0));
        }
        return out;
    }
}
