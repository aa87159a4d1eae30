package io.extensa.engine.types;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Built-in type spellings read locally must mean what PostgreSQL makes of them (OID and modifier). */
class TypeNameParserGoldenTest {

    private static final List<String> SPELLINGS = List.of("smallint", "int2", "integer", "int", "INT4", "bigint",
            "int8", "real", "float4", "double precision", "float8", "float", "float(10)", "float(24)", "float(25)",
            "numeric", "decimal", "numeric(12,6)", "numeric(5)", "decimal(10, 2)", "numeric(5,-2)", "boolean",
            "bool", "text", "name", "bytea", "varchar", "character varying", "varchar(20)",
            "character varying(20)", "char varying(3)", "char", "character", "char(5)", "character(5)", "bpchar",
            "bpchar(7)", "date", "time", "time(3)", "time without time zone", "time(2) without time zone",
            "time with time zone", "timetz", "timestamp", "timestamp(3)", "timestamp without time zone",
            "timestamp(0) without time zone", "timestamp with time zone", "timestamp(6) with time zone",
            "timestamptz", "interval", "interval(3)", "interval year", "interval month", "interval day",
            "interval hour", "interval minute", "interval second", "interval year to month",
            "interval day to hour", "interval day to minute", "interval day to second",
            "interval day to second(3)", "interval hour to minute", "interval hour to second",
            "interval minute to second(0)", "uuid", "json", "jsonb", "oid", "inet", "money", "xml", "bit",
            "bit(3)", "bit varying", "bit varying(5)", "integer[]", "text[]", "numeric(12,6)[]",
            "varchar(10)[]", "timestamp(3) with time zone[]", "int[][]", "pg_catalog.int4", "Double Precision");

    /** A table with one column per spelling; returns the given pg_attribute expressions per column. */
    private static List<List<String>> columns(ScratchPostgres pg, String expressions) {
        StringBuilder columns = new StringBuilder();
        for (int i = 0; i < SPELLINGS.size(); i++) {
            columns.append(i == 0 ? "" : ", ").append("c").append(i).append(' ').append(SPELLINGS.get(i));
        }
        return pg.query("DROP TABLE IF EXISTS spellings", "CREATE TABLE spellings (" + columns + ")",
                "SELECT " + expressions + " FROM pg_attribute WHERE attrelid = 'spellings'::regclass AND attnum > 0"
                        + " ORDER BY attnum");
    }

    @Test
    void builtInSpellingsMatchPostgres() {
        ScratchPostgres pg = ScratchPostgres.get();
        List<List<String>> rows = columns(pg, "atttypid, atttypmod");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < SPELLINGS.size(); i++) {
            DeclaredType parsed = TypeCatalog.parseBuiltIn(SPELLINGS.get(i));
            String expected = rows.get(i).get(0) + "/" + rows.get(i).get(1);
            String actual = parsed == null ? "null" : parsed.type().oid() + "/" + parsed.typmod();
            if (!expected.equals(actual)) {
                differences.add(SPELLINGS.get(i) + ": PostgreSQL " + expected + ", parsed " + actual);
            }
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void userTypesAreLeftToTheServer() {
        assertThat(TypeCatalog.parseBuiltIn("mood")).isNull();
        assertThat(TypeCatalog.parseBuiltIn("public.mood")).isNull();
        assertThat(TypeCatalog.parseBuiltIn("\"int4\"")).isNull();
        assertThat(TypeCatalog.parseBuiltIn("citext")).isNull();
        assertThat(TypeCatalog.parseBuiltIn("numeric(1,2,3)")).isNull();
    }

    @Test
    void formatsLikeFormatType() {
        ScratchPostgres pg = ScratchPostgres.get();
        List<List<String>> rows = columns(pg, "format_type(atttypid, atttypmod)");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < SPELLINGS.size(); i++) {
            DeclaredType parsed = TypeCatalog.parseBuiltIn(SPELLINGS.get(i));
            String formatted = TypeNames.format(parsed.type(), parsed.typmod(), new TypeCatalog());
            if (!formatted.equals(rows.get(i).get(0))) {
                differences.add(SPELLINGS.get(i) + ": format_type " + rows.get(i).get(0) + ", Extensa " + formatted);
            }
        }
        assertThat(differences).isEmpty();
    }
}
