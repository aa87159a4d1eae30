package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowEncodersTest {

    /** Collects DataRows as field texts (binary fields as hex), formats given per column. */
    private static final class Rows implements DataRowWriter {
        final int[] formats;
        final List<List<String>> rows = new ArrayList<>();
        private List<String> current;

        Rows(int... formats) {
            this.formats = formats;
        }

        @Override
        public int format(int column) {
            return formats[column];
        }

        @Override
        public void beginRow(int fieldCount) {
            current = new ArrayList<>();
        }

        @Override
        public void nullField() {
            current.add(null);
        }

        @Override
        public void field(byte[] value, int offset, int length) {
            if (formats[current.size()] == 0) {
                current.add(new String(value, offset, length, StandardCharsets.UTF_8));
            } else {
                StringBuilder hex = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    hex.append(String.format("%02x", value[offset + i]));
                }
                current.add(hex.toString());
            }
        }

        @Override
        public void field(ByteBuffer value) {
            byte[] bytes = new byte[value.remaining()];
            value.duplicate().get(bytes);
            field(bytes, 0, bytes.length);
        }

        @Override
        public void endRow() {
            rows.add(current);
        }
    }

    private static Batch batch(int rows, long offset) {
        ColumnBuilder ints = ColumnBuilder.create(ColumnType.INT64);
        ColumnBuilder texts = ColumnBuilder.create(ColumnType.TEXT);
        for (int i = 0; i < rows; i++) {
            ints.appendLong(offset + i);
            if (i % 2 == 1) {
                texts.appendNull();
            } else {
                texts.appendUtf8("t" + i);
            }
        }
        BatchBuilder batch = new BatchBuilder(List.of(ints, texts));
        for (int i = 0; i < rows; i++) {
            batch.endRow();
        }
        return batch.build();
    }

    private static List<OutputColumnPlan> plans(String intType, Destination destination) throws PgException {
        TypeCatalog catalog = new TypeCatalog();
        DeclaredType first = TypeCatalog.parseBuiltIn(intType);
        return List.of(
                OutputTypes.plan("n", ColumnSpec.of("n", ColumnType.INT64, null), first.type(), first.typmod(),
                        destination, catalog, SessionSettings.DEFAULT),
                OutputTypes.plan("s", ColumnSpec.of("s", ColumnType.TEXT, null), TypeCatalog.builtIn(Oids.TEXT), -1,
                        destination, catalog, SessionSettings.DEFAULT));
    }

    @Test
    void writesDataRowsInEachColumnsFormat() throws PgException {
        Rows rows = new Rows(1, 0);
        DataRowEncoder encoder = new DataRowEncoder(plans("integer", Destination.CLIENT), rows);
        encoder.write(batch(2, 7));
        assertThat(rows.rows).containsExactly(List.of("00000007", "t0"), java.util.Arrays.asList("00000008", null));
        assertThat(encoder.rowsWritten()).isEqualTo(2);
    }

    @Test
    void rowNumbersContinueAcrossBatches() throws PgException {
        DataRowEncoder encoder = new DataRowEncoder(plans("smallint", Destination.CLIENT), new Rows(0, 0));
        encoder.write(batch(3, 0));
        assertThatThrownBy(() -> encoder.write(batch(3, 32766)))
                .hasMessage("column \"n\", row 6: value 32768 is out of range for type smallint");
    }

    @Test
    void copiesIntoARealTable() throws PgException {
        ScratchPostgres pg = ScratchPostgres.get();
        pg.psql("DROP TABLE IF EXISTS copied", "CREATE TABLE copied (n integer, s text, a inet)");
        CopyRowEncoder binary = new CopyRowEncoder(plans("integer", Destination.COPY));
        assertThat(binary.isBinary()).isTrue();
        FieldBuffer out = new FieldBuffer();
        binary.start(out);
        binary.write(batch(3, 1), out);
        binary.write(batch(2, 10), out);
        binary.finish(out);
        pg.copyIn("copied (n, s) " + binary.copyOptions().replace("(FORMAT binary)", ""), out.toByteArray(), true);
        assertThat(pg.query("SELECT n, s FROM copied ORDER BY n")).containsExactly(List.of("1", "t0"),
                java.util.Arrays.asList("2", null), List.of("3", "t2"), List.of("10", "t0"),
                java.util.Arrays.asList("11", null));

        List<OutputColumnPlan> withInet = new ArrayList<>(plans("integer", Destination.COPY));
        withInet.add(OutputTypes.plan("a", ColumnSpec.of("a", ColumnType.TEXT, null),
                TypeCatalog.builtIn(Oids.INET), -1, Destination.COPY, new TypeCatalog(), SessionSettings.DEFAULT));
        CopyRowEncoder text = new CopyRowEncoder(withInet);
        assertThat(text.isBinary()).isFalse();
        assertThat(text.copyOptions()).isEqualTo("(FORMAT text)");
        ColumnBuilder ints = ColumnBuilder.create(ColumnType.INT64);
        ColumnBuilder texts = ColumnBuilder.create(ColumnType.TEXT);
        ColumnBuilder addresses = ColumnBuilder.create(ColumnType.TEXT);
        ints.appendLong(20);
        texts.appendUtf8("tab\there\\ and\nnewline");
        addresses.appendUtf8("192.168.0.1");
        BatchBuilder batch = new BatchBuilder(List.of(ints, texts, addresses));
        batch.endRow();
        out.clear();
        text.start(out);
        text.write(batch.build(), out);
        text.finish(out);
        pg.copyIn("copied (n, s, a)", out.toByteArray(), false);
        assertThat(pg.query("SELECT n, s, a FROM copied WHERE n = 20"))
                .containsExactly(List.of("20", "tab\there\\ and\nnewline", "192.168.0.1"));
    }
}
