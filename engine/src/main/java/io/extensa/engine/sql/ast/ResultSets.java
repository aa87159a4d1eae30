package io.extensa.engine.sql.ast;

import java.util.List;

/** WITH RESULT SETS: absent (UNDEFINED behaviour), NONE, or declared column lists. */
public record ResultSets(Kind kind, List<List<ColumnDefinition>> sets) {

    public enum Kind { UNDEFINED, NONE, DEFINED }

    public static final ResultSets UNDEFINED = new ResultSets(Kind.UNDEFINED, List.of());

    public ResultSets {
        sets = List.copyOf(sets);
    }
}
