package io.extensa.pgwire.intercept;

import java.util.List;

/**
 * The shape of one result: rows with these columns, or (when {@code returnsRows} is false) only a
 * command tag, as for {@code SET} or an {@code INSERT}.
 */
public record ResultDescription(boolean returnsRows, List<ColumnDescriptor> columns) {

    public ResultDescription {
        columns = List.copyOf(columns);
    }

    public static ResultDescription rows(List<ColumnDescriptor> columns) {
        return new ResultDescription(true, columns);
    }

    public static ResultDescription commandOnly() {
        return new ResultDescription(false, List.of());
    }
}
