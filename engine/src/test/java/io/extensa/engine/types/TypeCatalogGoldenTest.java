package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's lookups run against a real PostgreSQL. */
class TypeCatalogGoldenTest {

    private static ScratchPostgres pg;

    @BeforeAll
    static void types() {
        pg = ScratchPostgres.get();
        pg.psql("CREATE SCHEMA IF NOT EXISTS lab",
                "DO $$ BEGIN CREATE TYPE lab.color AS ENUM ('red', 'green'); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "DO $$ BEGIN CREATE DOMAIN lab.colors AS lab.color[] CHECK (cardinality(VALUE) > 0); "
                        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "DO $$ BEGIN CREATE DOMAIN lab.code AS varchar(8); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "CREATE EXTENSION IF NOT EXISTS citext");
    }

    private static int oid(String type) {
        return Integer.parseInt(pg.query("SELECT '" + type + "'::regtype::oid").get(0).get(0));
    }

    @Test
    void loadsUnknownTypesWithTheirElementsAndBasesInOneQuery() throws PgException {
        TypeCatalog catalog = new TypeCatalog();
        PsqlBackendChannel backend = new PsqlBackendChannel(pg);
        int colors = oid("lab.colors");
        int code = oid("lab.code");
        int citext = oid("citext");
        catalog.resolve(new int[] {colors, code, citext, Oids.INT4}, backend);
        assertThat(backend.executions).isEqualTo(1);
        PgType domain = catalog.require(colors);
        assertThat(domain.isDomain()).isTrue();
        assertThat(domain.name()).isEqualTo("lab.colors");
        PgType array = catalog.require(domain.baseOid());
        assertThat(array.isArray()).isTrue();
        PgType color = catalog.require(array.elementOid());
        assertThat(color.isEnum()).isTrue();
        assertThat(color.qualifiedName()).isEqualTo("\"lab\".\"color\"");
        assertThat(catalog.require(code).baseTypmod()).isEqualTo(TypeNames.characterTypmod(8));

        InputColumnPlan plan = InputTypes.plan("c", domain, -1, catalog);
        assertThat(plan.spec().type()).isEqualTo(ColumnType.ARRAY);
        assertThat(plan.spec().elementType()).isEqualTo(ColumnType.TEXT);
        assertThat(plan.spec().pgType()).isEqualTo("lab.colors");
        assertThat(InputTypes.plan("t", catalog.require(citext), -1, catalog).spec().type())
                .isEqualTo(ColumnType.TEXT);

        catalog.resolve(new int[] {colors, code}, backend);
        assertThat(backend.executions).as("cached").isEqualTo(1);
    }

    @Test
    void resolvesDeclaredTypeNames() throws PgException {
        TypeCatalog catalog = new TypeCatalog();
        PsqlBackendChannel backend = new PsqlBackendChannel(pg);
        List<DeclaredType> types = catalog.resolveDeclared(List.of("numeric(12,6)", "lab.color", "varchar(10)[]",
                "lab.code", "citext", "text"), backend);
        assertThat(types.get(0).type().oid()).isEqualTo(Oids.NUMERIC);
        assertThat(types.get(0).typmod()).isEqualTo(TypeNames.numericTypmod(12, 6));
        assertThat(types.get(1).type().isEnum()).isTrue();
        assertThat(types.get(2).type().oid()).isEqualTo(Oids.VARCHAR_ARRAY);
        assertThat(types.get(3).type().isDomain()).isTrue();
        assertThat(types.get(4).type().typname()).isEqualTo("citext");
        assertThat(backend.executions).isEqualTo(2);
        assertThatThrownBy(() -> catalog.resolveDeclared(List.of("no_such_type"), backend))
                .isInstanceOf(PgException.class).hasMessageContaining("no_such_type");
    }

    @Test
    void builtInsNeedNoQuery() throws PgException {
        TypeCatalog catalog = new TypeCatalog();
        PsqlBackendChannel backend = new PsqlBackendChannel(pg);
        catalog.resolve(new int[] {Oids.INT4, Oids.TEXT_ARRAY, Oids.JSONB}, backend);
        catalog.resolveDeclared(List.of("integer", "double precision", "timestamp(3) with time zone"), backend);
        assertThat(backend.executions).isZero();
    }

    @Test
    void builtInTableMatchesPostgres() {
        List<List<String>> rows = pg.query("SELECT oid, format_type(oid, NULL), typtype, typcategory, typelem,"
                + " typarray, typlen, typname FROM pg_type WHERE oid < 10000 AND typnamespace = 'pg_catalog'::regnamespace");
        int checked = 0;
        for (List<String> row : rows) {
            PgType known = TypeCatalog.builtIn(Integer.parseInt(row.get(0)));
            if (known == null) {
                continue;
            }
            checked++;
            assertThat(List.of(known.name(), String.valueOf(known.typtype()), String.valueOf(known.category()),
                    String.valueOf(known.elementOid()), String.valueOf(known.arrayOid()), String.valueOf(known.typlen()),
                    known.typname())).as("type %s", row.get(0)).isEqualTo(row.subList(1, 8));
        }
        assertThat(checked).isGreaterThan(150);
    }
}
