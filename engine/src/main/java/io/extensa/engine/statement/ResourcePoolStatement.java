package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.pools.ResourceGovernor;
import io.extensa.engine.security.PermissionRoles;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.protocol.launch.PoolsApplied;

/**
 * CREATE | ALTER | DROP EXTERNAL RESOURCE POOL, ALTER EXTERNAL RESOURCE POOL ... ADD | DROP ROLE,
 * and ALTER RESOURCE GOVERNOR RECONFIGURE (superusers only). As in SQL Server, pool changes are
 * stored at once and take effect at RECONFIGURE; role routes take effect at once.
 */
final class ResourcePoolStatement implements InterceptedStatement {

    private final Statement statement;
    private final EngineServices services;

    ResourcePoolStatement(Statement statement, EngineServices services) {
        this.statement = statement;
        this.services = services;
    }

    @Override
    public String label() {
        return statement instanceof Statement.ResourcePool pool ? switch (pool.action()) {
            case CREATE -> "CREATE EXTERNAL RESOURCE POOL";
            case DROP -> "DROP EXTERNAL RESOURCE POOL";
            default -> "ALTER EXTERNAL RESOURCE POOL";
        } : "ALTER RESOURCE GOVERNOR";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        PermissionRoles.requireSuperuser(ctx.backend(), "manage external resource pools");
        CatalogChange.requireNoTransactionBlock(ctx, label());
        ResourceGovernor governor = services.resourceGovernor();
        String audited;
        if (statement instanceof Statement.ResourcePool pool) {
            Integer cpu = pool.options().get("MAX_CPU_PERCENT");
            Integer memory = pool.options().get("MAX_MEMORY_PERCENT");
            Integer processes = pool.options().get("MAX_PROCESSES");
            switch (pool.action()) {
                case CREATE -> governor.create(pool.name(), cpu, memory, processes);
                case ALTER -> governor.alter(pool.name(), cpu, memory, processes);
                case DROP -> governor.drop(pool.name());
                case ADD_ROLE -> governor.addRoles(pool.name(), pool.roles());
                case DROP_ROLE -> governor.dropRoles(pool.name(), pool.roles());
            }
            audited = label() + " \"" + pool.name() + "\"" + (pool.options().isEmpty() ? "" : " " + pool.options())
                    + (pool.roles().isEmpty() ? "" : (pool.action() == Statement.PoolAction.ADD_ROLE ? " ADD" : " DROP")
                    + " ROLE " + pool.roles());
            if (pool.action() == Statement.PoolAction.CREATE || pool.action() == Statement.PoolAction.ALTER
                    || pool.action() == Statement.PoolAction.DROP) {
                ctx.notice(ErrorFields.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION,
                        "Run ALTER RESOURCE GOVERNOR RECONFIGURE to put the change in force."));
            }
        } else {
            PoolsApplied applied = governor.reconfigure();
            services.standbys().trim(true);
            audited = "ALTER RESOURCE GOVERNOR RECONFIGURE";
            if (applied.enforcement().startsWith("not enforced")) {
                ctx.notice(ErrorFields.notice("WARNING", SqlState.SUCCESSFUL_COMPLETION, "resource pool limits "
                        + "other than MAX_PROCESSES are " + applied.enforcement()));
            }
        }
        Audit.administration(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(), audited);
        return ConfigureStatement.commandOnly(label());
    }
}
