package io.extensa.engine.script;

import java.util.List;
import java.util.stream.Collectors;

/** The table of INSERT INTO t [(columns)] EXEC ...: names as PostgreSQL resolves them. */
public record InsertTarget(List<String> table, List<String> columns) {

    public String quotedTable() {
        return table.stream().map(ScriptParameters::quote).collect(Collectors.joining("."));
    }

    String quotedColumns(List<String> names) {
        return names.stream().map(ScriptParameters::quote).collect(Collectors.joining(", "));
    }

    String label() {
        return String.join(".", table);
    }
}
