package io.extensa.engine.statement;

import io.extensa.engine.script.ScriptCallBinder;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;

/** SET @v = expr */
final class SetVariable implements InterceptedStatement {

    private final Statement.SetVariable set;
    private final SessionVariables variables;

    SetVariable(Statement.SetVariable set, SessionVariables variables) {
        this.set = set;
        this.variables = variables;
    }

    @Override
    public String label() {
        return "SET @" + set.name();
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        Variable v = variables.get(set.name()).orElseThrow(() -> ScriptCallBinder.undeclared(set.name()));
        Expressions.Typed value = Expressions.evaluate(set.expression(), v.typeText(), variables, ctx.backend(),
                ctx.parameters());
        variables.assign(v.name(), value.value());
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return ResultDescription.commandOnly();
            }

            @Override
            protected String rows(DataRowWriter out) {
                return "SET";
            }
        };
    }
}
