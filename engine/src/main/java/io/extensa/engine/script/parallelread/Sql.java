package io.extensa.engine.script.parallelread;

/** Quoting for the SQL text this package generates (identifiers always quoted, so no keyword or case surprises). */
final class Sql {

    private Sql() {
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A standard-conforming string literal (the service and reader connections keep the default on). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
