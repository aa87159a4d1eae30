package io.extensa.engine.statement;

import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;
import io.extensa.pgwire.intercept.StatementDescription;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Any PostgreSQL statement that uses session variables, e.g.
 * {@code INSERT INTO models VALUES ('m1', @model)}: it runs on the caller's connection with the
 * variables bound as typed parameters, and its result goes to the client unchanged.
 */
final class RelayWithVariables implements InterceptedStatement {

    private final String sql;
    private final SessionVariables variables;

    RelayWithVariables(String sql, SessionVariables variables) {
        this.sql = sql;
        this.variables = variables;
    }

    @Override
    public String label() {
        String first = sql.strip().split("\\s+", 2)[0];
        return first.toUpperCase(java.util.Locale.ROOT) + " (with variables)";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        VariableBinding binding = VariableBinding.of(sql, variables, ctx.parameters().size());
        List<BindValue> values = binding.withClientValues(ctx.parameters());
        BackendChannel backend = ctx.backend();
        StatementDescription d = backend.describe(binding.sql(), binding.types(ctx.parameters()));
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return d.returnsRows() ? ResultDescription.rows(d.columns()) : ResultDescription.commandOnly();
            }

            @Override
            protected String rows(DataRowWriter out) throws PgException {
                int n = d.returnsRows() ? d.columns().size() : 0;
                short[] formats = new short[n];
                for (int i = 0; i < n; i++) {
                    formats[i] = (short) out.format(i);
                }
                return backend.execute(binding.sql(), values, formats, row -> copyRow(row, out));
            }
        };
    }

    /** DataRow body straight through: int16 count, then int32 length (-1 NULL) and bytes per field. */
    private static void copyRow(ByteBuffer row, DataRowWriter out) {
        int n = row.getShort();
        out.beginRow(n);
        for (int i = 0; i < n; i++) {
            int len = row.getInt();
            if (len < 0) {
                out.nullField();
            } else {
                out.field(row.slice(row.position(), len));
                row.position(row.position() + len);
            }
        }
        out.endRow();
    }
}
