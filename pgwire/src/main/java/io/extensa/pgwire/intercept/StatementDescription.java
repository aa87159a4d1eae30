package io.extensa.pgwire.intercept;

import java.util.List;

/** PostgreSQL's answer to Parse + Describe(statement): parameter types and result columns (null for no rows). */
public record StatementDescription(int[] parameterTypes, List<ColumnDescriptor> columns) {

    public boolean returnsRows() {
        return columns != null;
    }
}
