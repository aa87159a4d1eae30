package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.security.PermissionRoles;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;

/** RECONFIGURE: configured sp_configure values become the ones in use (superusers only). */
final class ReconfigureStatement implements InterceptedStatement {

    private final EngineServices services;

    ReconfigureStatement(EngineServices services) {
        this.services = services;
    }

    @Override
    public String label() {
        return "RECONFIGURE";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        PermissionRoles.requireSuperuser(ctx.backend(), "run RECONFIGURE");
        CatalogChange.requireNoTransactionBlock(ctx, "RECONFIGURE");
        services.configuration().reconfigure();
        services.standbys().trim(false);
        Audit.administration(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(), "RECONFIGURE");
        return ConfigureStatement.commandOnly("RECONFIGURE");
    }
}
