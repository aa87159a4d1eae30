package io.extensa.engine.statement;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.types.TsqlTypes;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;

/** DECLARE @v type [= expr], ...: the types are checked by PostgreSQL, the values computed by it. */
final class DeclareVariables implements InterceptedStatement {

    private final Statement.Declare declare;
    private final SessionVariables variables;

    DeclareVariables(Statement.Declare declare, SessionVariables variables) {
        this.declare = declare;
        this.variables = variables;
    }

    @Override
    public String label() {
        return "DECLARE";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        for (Statement.VariableDeclaration d : declare.variables()) {
            String type = TsqlTypes.toPostgres(d.type());
            Expressions.Typed value = Expressions.evaluate(d.expression(), type, variables, ctx.backend(),
                    ctx.parameters());
            variables.declare(new Variable(d.name(), value.typeOid(), value.typeModifier(), type, value.value()));
        }
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return ResultDescription.commandOnly();
            }

            @Override
            protected String rows(DataRowWriter out) {
                return "DECLARE";
            }
        };
    }
}
