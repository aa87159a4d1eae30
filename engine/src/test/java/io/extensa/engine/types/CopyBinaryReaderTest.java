package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyBinaryReaderTest {

    private static List<InputColumnPlan> plans() throws PgException {
        TypeCatalog catalog = new TypeCatalog();
        return List.of(InputTypes.plan("i", TypeCatalog.builtIn(Oids.INT4), -1, catalog),
                InputTypes.plan("t", TypeCatalog.builtIn(Oids.TEXT), -1, catalog),
                InputTypes.plan("d", TypeCatalog.builtIn(Oids.FLOAT8), -1, catalog));
    }

    /** Header, rows (i, 'row i' or NULL every third, i / 2.0), trailer. */
    private static byte[] stream(int rows, int extension) {
        FieldBuffer out = new FieldBuffer();
        out.putBytes(CopyBinaryReader.SIGNATURE);
        out.putInt(0);
        out.putInt(extension);
        for (int i = 0; i < extension; i++) {
            out.putByte(i);
        }
        for (int i = 0; i < rows; i++) {
            out.putShort(3);
            out.putInt(4);
            out.putInt(i);
            if (i % 3 == 0) {
                out.putInt(-1);
            } else {
                byte[] text = ("row " + i).getBytes();
                out.putInt(text.length);
                out.putBytes(text);
            }
            out.putInt(8);
            out.putLong(Double.doubleToLongBits(i / 2.0));
        }
        out.putShort(-1);
        return out.toByteArray();
    }

    private record Result(List<Integer> batchRows, long rows) {
    }

    /** Feeds the stream in pieces ending at the given offsets (the rest in one last piece). */
    private static Result feed(byte[] stream, int maxRows, int... cuts) throws PgException {
        List<InputColumnPlan> plans = plans();
        BatchBuilder batch = InputTypes.newBatch(plans, Long.MAX_VALUE, maxRows);
        List<Integer> batchRows = new ArrayList<>();
        CopyBinaryReader reader = new CopyBinaryReader(plans, batch, b -> batchRows.add(b.rowCount()));
        int from = 0;
        for (int cut : cuts) {
            reader.data(ByteBuffer.wrap(stream, from, cut - from).slice());
            from = cut;
        }
        if (from < stream.length) {
            reader.data(ByteBuffer.wrap(stream, from, stream.length - from).slice());
        }
        long rows = reader.finish();
        return new Result(batchRows, rows);
    }

    @Test
    void readsAWholeStreamInOnePiece() throws PgException {
        Result result = feed(stream(10, 0), 1000);
        assertThat(result.rows()).isEqualTo(10);
        assertThat(result.batchRows()).containsExactly(10);
    }

    @Test
    void readsEveryPossibleSplitIntoTwoPieces() throws PgException {
        byte[] stream = stream(4, 3);
        for (int cut = 1; cut < stream.length; cut++) {
            assertThat(feed(stream, 1000, cut).rows()).as("cut at %d", cut).isEqualTo(4);
        }
    }

    @Test
    void readsOneByteAtATime() throws PgException {
        byte[] stream = stream(7, 0);
        int[] cuts = new int[stream.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertThat(feed(stream, 1000, cuts).rows()).isEqualTo(7);
    }

    @Test
    void valuesSurviveSplitting() throws PgException {
        byte[] stream = stream(5, 0);
        List<InputColumnPlan> plans = plans();
        BatchBuilder batch = InputTypes.newBatch(plans);
        CopyBinaryReader reader = new CopyBinaryReader(plans, batch, b -> { });
        for (int i = 0; i < stream.length; i += 5) {
            reader.data(ByteBuffer.wrap(stream, i, Math.min(5, stream.length - i)).slice());
        }
        Batch result = batch.build();
        assertThat(result.rowCount()).isEqualTo(5);
        assertThat(result.column(0).getInt(4)).isEqualTo(4);
        assertThat(result.column(1).isNull(3)).isTrue();
        assertThat(result.column(1).getUtf8(4)).isEqualTo("row 4");
        assertThat(result.column(2).getDouble(3)).isEqualTo(1.5);
    }

    @Test
    void cutsBatchesWhenFull() throws PgException {
        Result result = feed(stream(25, 0), 10);
        assertThat(result.batchRows()).containsExactly(10, 10, 5);
        assertThat(result.rows()).isEqualTo(25);
    }

    @Test
    void emptyResultHasHeaderAndTrailerOnly() throws PgException {
        Result result = feed(stream(0, 0), 10, 19);
        assertThat(result.rows()).isZero();
        assertThat(result.batchRows()).isEmpty();
    }

    @Test
    void rejectsABadSignature() throws PgException {
        byte[] stream = stream(1, 0);
        stream[0] = 'X';
        assertThatThrownBy(() -> feed(stream, 10)).isInstanceOf(PgException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void rejectsTheWrongFieldCount() throws PgException {
        byte[] stream = stream(1, 0);
        stream[19 + 1] = 2;
        assertThatThrownBy(() -> feed(stream, 10)).isInstanceOf(PgException.class)
                .hasMessageContaining("2 fields, expected 3")
                .satisfies(e -> assertThat(((PgException) e).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION));
    }

    @Test
    void rejectsAStreamWithoutTrailer() throws PgException {
        byte[] full = stream(2, 0);
        byte[] stream = java.util.Arrays.copyOf(full, full.length - 2);
        assertThatThrownBy(() -> feed(stream, 10)).hasMessageContaining("without its trailer");
    }

    @Test
    void rejectsATruncatedRow() throws PgException {
        byte[] full = stream(2, 0);
        byte[] stream = java.util.Arrays.copyOf(full, full.length - 7);
        assertThatThrownBy(() -> feed(stream, 10)).hasMessageContaining("without its trailer");
    }

    @Test
    void rejectsDataAfterTheTrailer() throws PgException {
        byte[] full = stream(1, 0);
        byte[] stream = java.util.Arrays.copyOf(full, full.length + 2);
        assertThatThrownBy(() -> feed(stream, 10)).hasMessageContaining("after the binary COPY trailer");
    }

    @Test
    void rejectsOids() throws PgException {
        byte[] stream = stream(1, 0);
        stream[11 + 1] = 1; // flags bit 16
        assertThatThrownBy(() -> feed(stream, 10)).hasMessageContaining("OIDs");
    }

    @Test
    void rejectsAWrongFixedLength() throws PgException {
        byte[] stream = stream(1, 0);
        stream[19 + 2 + 3] = 3; // int4 field claims 3 bytes
        assertThatThrownBy(() -> feed(stream, 10)).isInstanceOf(PgException.class)
                .satisfies(e -> assertThat(((PgException) e).sqlState()).isIn(SqlState.INVALID_BINARY_REPRESENTATION,
                        SqlState.PROTOCOL_VIOLATION));
    }

    @Test
    void dataRowsUseTheSameDecoders() throws PgException {
        List<InputColumnPlan> plans = plans();
        BatchBuilder batch = InputTypes.newBatch(plans);
        List<Integer> sent = new ArrayList<>();
        DataRowReader reader = new DataRowReader(plans, batch, b -> sent.add(b.rowCount()));
        byte[] stream = stream(3, 0);
        int pos = 19;
        for (int i = 0; i < 3; i++) {
            int end = pos + 2;
            for (int f = 0; f < 3; f++) {
                int length = ByteBuffer.wrap(stream).getInt(end);
                end += 4 + Math.max(0, length);
            }
            reader.row(ByteBuffer.wrap(stream, pos, end - pos).slice());
            pos = end;
        }
        assertThat(reader.finish()).isEqualTo(3);
        assertThat(sent).containsExactly(3);
        assertThatThrownBy(() -> reader.row(ByteBuffer.wrap(stream, 19, 5).slice()))
                .hasMessageContaining("malformed DataRow");
    }
    @Test
    void aRouterDealsWholeTuplesToShares() throws PgException {
        byte[] stream = stream(9, 0);
        List<InputColumnPlan> plans = plans();
        List<BatchBuilder> batches = List.of(InputTypes.newBatch(plans), InputTypes.newBatch(plans));
        List<List<Integer>> seen = List.of(new ArrayList<>(), new ArrayList<>());
        // the share is the row's i (the first field, after the count and its length) modulo 2
        CopyBinaryReader reader = new CopyBinaryReader(plans, batches, List.of(b -> { }, b -> { }),
                (b, pos) -> b.getInt(pos + 6) % 2);
        for (int i = 0; i < stream.length; i += 7) {
            reader.data(ByteBuffer.wrap(stream, i, Math.min(7, stream.length - i)).slice());
        }
        assertThat(reader.rowCount()).isEqualTo(9);
        for (int share = 0; share < 2; share++) {
            Batch rows = batches.get(share).build();
            for (int r = 0; r < rows.rowCount(); r++) {
                seen.get(share).add(rows.column(0).getInt(r));
            }
        }
        assertThat(seen.get(0)).containsExactly(0, 2, 4, 6, 8);
        assertThat(seen.get(1)).containsExactly(1, 3, 5, 7);
    }
}
