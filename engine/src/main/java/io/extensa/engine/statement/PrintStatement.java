package io.extensa.engine.statement;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;
import java.nio.charset.StandardCharsets;

/** PRINT expr: the value as a NOTICE, as SQL Server sends it as an informational message. */
final class PrintStatement implements InterceptedStatement {

    private final Statement.Print print;
    private final SessionVariables variables;

    PrintStatement(Statement.Print print, SessionVariables variables) {
        this.print = print;
        this.variables = variables;
    }

    @Override
    public String label() {
        return "PRINT";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        Expressions.Typed value = Expressions.evaluate(print.expression(), "text", variables, ctx.backend(),
                ctx.parameters());
        String text = value.value() == null ? "" : new String(value.value(), StandardCharsets.UTF_8);
        ctx.notice(ErrorFields.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, text));
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return ResultDescription.commandOnly();
            }

            @Override
            protected String rows(DataRowWriter out) {
                return "PRINT";
            }
        };
    }
}
