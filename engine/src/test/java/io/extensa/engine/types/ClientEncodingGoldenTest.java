package io.extensa.engine.types;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Text in a session whose client_encoding is not UTF8 (PostgreSQL converts at the protocol boundary). */
class ClientEncodingGoldenTest {

    private static final SessionSettings LATIN1 = SessionSettings.DEFAULT.withClientEncoding("LATIN1");

    @Test
    void readsAndWritesLatin1() throws Exception {
        ScratchPostgres pg = ScratchPostgres.get();
        String setEncoding = "SET client_encoding = 'LATIN1'";
        // U& escapes keep the statement ASCII, whatever the session's encoding
        String query = "SELECT U&'caf\\00E9'::text AS t, ARRAY[U&'\\00E9t\\00E9', NULL, U&'\\00FC x']::text[] AS a,"
                + " U&'{\"\\00E9\": 1}'::jsonb AS j";
        byte[] copy = pg.copyOutBinary(query, setEncoding);
        TypeCatalog catalog = new TypeCatalog();
        List<InputColumnPlan> plans = List.of(
                InputTypes.plan("t", TypeCatalog.builtIn(Oids.TEXT), -1, catalog, LATIN1),
                InputTypes.plan("a", TypeCatalog.builtIn(Oids.TEXT_ARRAY), -1, catalog, LATIN1),
                InputTypes.plan("j", TypeCatalog.builtIn(Oids.JSONB), -1, catalog, LATIN1));
        var batch = GoldenSupport.read(plans, copy, 11);
        assertThat(batch.column(0).getUtf8(0)).isEqualTo("café");
        assertThat(batch.column(1).child().getUtf8(0)).isEqualTo("été");
        assertThat(batch.column(2).getUtf8(0)).isEqualTo("{\"é\": 1}");

        pg.psql("DROP TABLE IF EXISTS latin", "CREATE TABLE latin (t text, a text[], j jsonb)");
        for (int format = 0; format <= 1; format++) {
            FieldBuffer out = new FieldBuffer();
            FieldBuffer scratch = new FieldBuffer();
            if (format == 1) {
                CopyRows.binaryHeader(out);
                CopyRows.binaryRowStart(out, 3);
            }
            for (int c = 0; c < 3; c++) {
                ColumnVector column = batch.column(c);
                ColumnSpec spec = plans.get(c).spec();
                OutputColumnPlan plan = OutputTypes.plan(spec.name(), spec, plans.get(c).type(), -1, Destination.COPY,
                        catalog, LATIN1);
                if (format == 1) {
                    CopyRows.binaryField(out, plan.encoder(1), column, 0, 1);
                } else {
                    CopyRows.textField(out, scratch, c == 0, plan.encoder(0), column, 0, 1);
                }
            }
            if (format == 1) {
                CopyRows.binaryTrailer(out);
            } else {
                CopyRows.textRowEnd(out);
            }
            pg.copyIn("latin", out.toByteArray(), format == 1, setEncoding);
        }
        assertThat(pg.query("SELECT t, a, j FROM latin")).containsExactly(
                List.of("café", "{été,NULL,\"ü x\"}", "{\"é\": 1}"), List.of("café", "{été,NULL,\"ü x\"}", "{\"é\": 1}"));
    }

    @Test
    void textForClientsIsConverted() throws Exception {
        OutputColumnPlan plan = OutputTypes.plan("a", new ColumnSpec("a", ColumnType.ARRAY, null, ColumnType.TEXT),
                TypeCatalog.builtIn(Oids.TEXT_ARRAY), -1, Destination.CLIENT, new TypeCatalog(), LATIN1);
        FieldBuffer out = new FieldBuffer();
        plan.encoder(0).encode(WireColumns.textArrays(new String[] {"é", "a b"}), 0, 1, out);
        assertThat(out.toByteArray()).isEqualTo("{é,\"a b\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
