package io.extensa.engine.statement;

import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.StatementDescription;
import java.util.List;

/**
 * Evaluates T-SQL variable expressions with PostgreSQL: {@code SELECT (expr)::type}, variables
 * bound as parameters. Any SQL expression works, including subqueries, and runs as the caller.
 */
final class Expressions {

    /** A value with its PostgreSQL type, in binary format (null = NULL). */
    record Typed(int typeOid, int typeModifier, byte[] value) {
    }

    private Expressions() {
    }

    static Typed evaluate(String expression, String typeText, SessionVariables variables, BackendChannel backend,
                          List<BindValue> clientParameters) throws PgException {
        String sql = "SELECT (" + (expression == null ? "NULL" : expression) + ")::" + typeText;
        VariableBinding binding = VariableBinding.of(sql, variables, clientParameters.size());
        List<BindValue> values = binding.withClientValues(clientParameters);
        StatementDescription d = backend.describe(binding.sql(), binding.types(clientParameters));
        if (d.columns() == null || d.columns().size() != 1) {
            throw new PgException(io.extensa.pgwire.SqlState.SYNTAX_ERROR, "not a single value: " + expression);
        }
        ColumnDescriptor c = d.columns().get(0);
        byte[][] result = new byte[1][];
        backend.execute(binding.sql(), values, 1, row -> {
            row.getShort();
            int len = row.getInt();
            if (len >= 0) {
                result[0] = new byte[len];
                row.get(result[0]);
            }
        });
        return new Typed(c.typeOid(), c.typeModifier(), result[0]);
    }
}
