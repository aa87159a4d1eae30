package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.script.InsertTarget;
import io.extensa.engine.script.MultiUnitExecution;
import io.extensa.engine.script.ScriptCall;
import io.extensa.engine.script.ScriptCallBinder;
import io.extensa.engine.script.ScriptExecution;
import io.extensa.engine.script.StandbyActivation;
import io.extensa.engine.sql.ast.Argument;
import io.extensa.engine.sql.ast.ColumnDefinition;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.types.DeclaredType;
import io.extensa.engine.types.TsqlTypes;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.ResultDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Value;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.security.ScriptPermissions;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;

/** EXEC sp_execute_external_script, CALL sp_execute_external_script(...), INSERT INTO t EXEC ... */
final class ExternalScript implements InterceptedStatement {

    private static final int TEXT = 25;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ExternalScript.class);

    private final Statement.Exec exec;
    private final Statement.InsertExec insert;
    private final SessionVariables variables;
    private final EngineServices services;

    ExternalScript(Statement.Exec exec, Statement.InsertExec insert, SessionVariables variables,
                   EngineServices services) {
        this.exec = exec;
        this.insert = insert;
        this.variables = variables;
        this.services = services;
    }

    @Override
    public String label() {
        return insert == null ? "EXEC sp_execute_external_script"
                : "INSERT INTO " + String.join(".", insert.table()) + " EXEC sp_execute_external_script";
    }

    /** One entry per $n the arguments use; unspecified ones are text, which PostgreSQL then casts. */
    @Override
    public int[] parameterTypes(int[] declared) {
        int highest = declared.length;
        for (Argument a : exec.arguments()) {
            if (a.value() instanceof Value.Parameter p) {
                highest = Math.max(highest, p.index());
            }
        }
        int[] types = new int[highest];
        for (int i = 0; i < highest; i++) {
            types[i] = i < declared.length && declared[i] != 0 ? declared[i] : TEXT;
        }
        return types;
    }

    /**
     * Known before running only when WITH RESULT SETS declares the columns with built-in types (a
     * user type needs the catalog) or for INSERT ... EXEC, which returns no rows.
     */
    @Override
    public Optional<ResultDescription> staticResult() {
        if (insert != null) {
            return Optional.of(ResultDescription.commandOnly());
        }
        if (exec.resultSets().kind() != ResultSets.Kind.DEFINED) {
            return Optional.empty();
        }
        List<ColumnDescriptor> columns = new ArrayList<>();
        for (ColumnDefinition c : exec.resultSets().sets().get(0)) {
            DeclaredType type = TypeCatalog.parseBuiltIn(TsqlTypes.toPostgres(c.type()));
            if (type == null) {
                return Optional.empty();
            }
            columns.add(ColumnDescriptor.of(c.name(), type.type().oid(), type.type().typlen(), type.typmod()));
        }
        return Optional.of(ResultDescription.rows(columns));
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        ScriptCall call = ScriptCallBinder.bind(exec, variables, ctx.parameters());
        if (!services.scriptsEnabled()) {
            throw denied(ctx, call, new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "'sp_execute_external_script' is disabled on this server").withHint("a superuser can enable it: "
                    + "EXEC sp_configure 'external scripts enabled', 1; RECONFIGURE"));
        }
        InsertTarget target = insert == null ? null : new InsertTarget(insert.table(), insert.columns());
        if (call.multiUnit()) {
            long statementTimeoutMillis = check(ctx, call, null, () -> { }).statementTimeoutMillis();
            return MultiUnitExecution.start(services, ctx, call, variables, target, services.parallelDegree(),
                    statementTimeoutMillis);
        }
        // ACTIVATE for the caller's standby goes out while PostgreSQL answers the permission check
        // (and describes the input); a refused call closes the activation, which ends the standby
        StandbyActivation[] standby = {StandbyActivation.NONE};
        try {
            ScriptPermissions.Checked checked = check(ctx, call, ScriptExecution.inputToDescribe(call),
                    () -> standby[0] = activateStandby(ctx, call));
            return ScriptExecution.start(services, ctx, call, variables, target, checked.statementTimeoutMillis(),
                    checked.input(), standby[0]);
        } finally {
            // a no-op once the call took it
            standby[0].close();
        }
    }

    /** A standby that cannot be activated is ended; the call then launches as without one. */
    private StandbyActivation activateStandby(ExecutionContext ctx, ScriptCall call) {
        try {
            return ScriptExecution.activateStandby(services, ctx, call);
        } catch (PgException e) {
            log.debug("session {}: the standby satellite was not activated: {}", ctx.session().sessionId(),
                    e.getMessage());
            return StandbyActivation.NONE;
        }
    }

    private ScriptPermissions.Checked check(ExecutionContext ctx, ScriptCall call, String describeSql,
                                            io.extensa.pgwire.intercept.BackendChannel.Meanwhile meanwhile)
            throws PgException {
        try {
            return ScriptPermissions.check(ctx.backend(), call.language(), describeSql, meanwhile);
        } catch (PgException e) {
            throw denied(ctx, call, e);
        }
    }

    private static PgException denied(ExecutionContext ctx, ScriptCall call, PgException e) {
        Audit.denied(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(),
                "sp_execute_external_script @language=" + call.language(), e.sqlState() + " " + e.getMessage());
        return e;
    }
}
