package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Values that only PostgreSQL can check reach it as text it parses: a cast, or a text-format COPY. */
class ServerCastGoldenTest {

    private static ScratchPostgres pg;
    private static final TypeCatalog CATALOG = new TypeCatalog();

    @BeforeAll
    static void types() {
        pg = ScratchPostgres.get();
        pg.psql("DO $$ BEGIN CREATE TYPE traffic AS ENUM ('red', 'amber', 'green'); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "DO $$ BEGIN CREATE DOMAIN percent AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100); "
                        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    }

    /** Each row's server text cast on the server as the plan says, as PostgreSQL prints it (null for NULL). */
    static List<String> castOnServer(ScratchPostgres pg, OutputColumnPlan plan, ColumnVector column, String... setup)
            throws PgException {
        List<String> texts = GoldenSupport.texts(column, plan.encoder(0));
        StringBuilder array = new StringBuilder("ARRAY[");
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            array.append(i == 0 ? "" : ", ").append(t == null ? "NULL" : "'" + t.replace("'", "''") + "'");
        }
        array.append("]::text[]");
        List<String> statements = new ArrayList<>(List.of(setup));
        statements.add("SELECT s::" + plan.castTarget() + " FROM unnest(" + array + ") WITH ORDINALITY u(s, i)"
                + " ORDER BY i");
        return GoldenSupport.column(pg.query(statements.toArray(String[]::new)));
    }

    private static PgType type(String name) {
        List<String> v = pg.query("SELECT t.oid, format_type(t.oid, NULL), t.typtype, t.typcategory, t.typelem,"
                + " t.typbasetype, t.typarray, t.typlen, t.typname, n.nspname, t.typtypmod FROM pg_type t"
                + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = '" + name + "'::regtype").get(0);
        PgType type = new PgType(Integer.parseInt(v.get(0)), v.get(1), v.get(2).charAt(0), v.get(3).charAt(0),
                Integer.parseInt(v.get(4)), Integer.parseInt(v.get(5)), Integer.parseInt(v.get(6)),
                Integer.parseInt(v.get(7)), v.get(8), v.get(9), Integer.parseInt(v.get(10)));
        CATALOG.add(type);
        return type;
    }

    @Test
    void enumsForClientsAreCastOnTheServer() throws PgException {
        OutputColumnPlan plan = OutputTypes.plan("v", WireColumns.spec(ColumnType.TEXT), type("traffic"), -1,
                Destination.CLIENT, CATALOG, SessionSettings.DEFAULT);
        assertThat(plan.needsServerCast()).isTrue();
        assertThat(castOnServer(pg, plan, WireColumns.texts(ColumnType.TEXT, List.of("red", "green"))))
                .containsExactly("red", "green");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> castOnServer(pg, plan,
                WireColumns.texts(ColumnType.TEXT, List.of("blue")))).hasMessageContaining(
                "invalid input value for enum traffic: \"blue\"");
    }

    @Test
    void domainsGetTheBaseTypesTextAndTheirConstraintsChecked() throws PgException {
        OutputColumnPlan plan = OutputTypes.plan("v", WireColumns.spec(ColumnType.FLOAT64), type("percent"), -1,
                Destination.CLIENT, CATALOG, SessionSettings.DEFAULT);
        assertThat(castOnServer(pg, plan, WireColumns.doubles(12.345, 100))).containsExactly("12.35", "100.00");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> castOnServer(pg, plan, WireColumns.doubles(101)))
                .hasMessageContaining("violates check constraint");
        OutputColumnPlan copy = OutputTypes.plan("v", WireColumns.spec(ColumnType.FLOAT64), type("percent"), -1,
                Destination.COPY, CATALOG, SessionSettings.DEFAULT);
        assertThat(copy.needsServerCast()).isFalse();
        pg.psql("DROP TABLE IF EXISTS scores", "CREATE TABLE scores (v percent)");
        pg.copyIn("scores", GoldenSupport.copyBinary(WireColumns.doubles(55.555), copy.encoder(1)), true);
        assertThat(pg.query("SELECT v FROM scores").get(0).get(0)).isEqualTo("55.56");
        assertThat(pg.copyInError("scores", GoldenSupport.copyBinary(WireColumns.doubles(-1), copy.encoder(1)), true))
                .contains("violates check constraint");
    }

    @Test
    void typesExtensaDoesNotEncodeGoThroughTextCopy() throws PgException {
        pg.psql("DROP TABLE IF EXISTS misc", "CREATE TABLE misc (i serial, addr inet, price money, span interval,"
                + " nums integer[], moods traffic[])");
        ColumnVector addresses = WireColumns.texts(ColumnType.TEXT, List.of("10.0.0.1/8", "::1"));
        ColumnVector prices = WireColumns.texts(ColumnType.DECIMAL, List.of("12.5", "1E+3"));
        ColumnVector spans = WireColumns.texts(ColumnType.TEXT, List.of("P1Y2M", "1 day 02:00"));
        ColumnVector nums = WireColumns.texts(ColumnType.TEXT, List.of("{1,2}", "{}"));
        ColumnVector moods = WireColumns.textArrays(new String[] {"red", null}, new String[] {});
        type("traffic");
        List<OutputColumnPlan> plans = List.of(
                copyPlan(WireColumns.spec(ColumnType.TEXT), "inet"),
                copyPlan(WireColumns.spec(ColumnType.DECIMAL), "money"),
                copyPlan(WireColumns.spec(ColumnType.TEXT), "interval"),
                copyPlan(WireColumns.spec(ColumnType.TEXT), "integer[]"),
                OutputTypes.plan("v", new ColumnSpec("v", ColumnType.ARRAY, null, ColumnType.TEXT), type("traffic[]"),
                        -1, Destination.COPY, CATALOG, SessionSettings.DEFAULT));
        assertThat(plans.subList(0, 4)).allMatch(OutputColumnPlan::needsServerCast);
        assertThat(plans.get(4).needsServerCast()).isFalse();
        List<ColumnVector> columns = List.of(addresses, prices, spans, nums, moods);
        FieldBuffer out = new FieldBuffer();
        FieldBuffer scratch = new FieldBuffer();
        for (int row = 0; row < 2; row++) {
            for (int c = 0; c < plans.size(); c++) {
                CopyRows.textField(out, scratch, c == 0, plans.get(c).encoder(0), columns.get(c), row, row + 1);
            }
            CopyRows.textRowEnd(out);
        }
        pg.copyIn("misc (addr, price, span, nums, moods)", out.toByteArray(), false);
        assertThat(pg.query("SET lc_monetary = 'C'", "SELECT addr, price, span, nums, moods FROM misc ORDER BY i"))
                .containsExactly(List.of("10.0.0.1/8", "$12.50", "1 year 2 mons", "{1,2}", "{red,NULL}"),
                        List.of("::1", "$1,000.00", "1 day 02:00:00", "{}", "{}"));
    }

    private static OutputColumnPlan copyPlan(ColumnSpec spec, String type) throws PgException {
        DeclaredType declared = TypeCatalog.parseBuiltIn(type);
        return OutputTypes.plan("v", spec, declared.type(), declared.typmod(), Destination.COPY, CATALOG,
                SessionSettings.DEFAULT);
    }
}
