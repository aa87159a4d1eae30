package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.security.PermissionRoles;
import io.extensa.engine.security.ScriptPermissions;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import java.io.IOException;
import java.util.List;

/**
 * GRANT/REVOKE EXECUTE [ANY] EXTERNAL SCRIPT: becomes GRANT/REVOKE of Extensa's permission role,
 * run on the caller's connection inside their transaction, so PostgreSQL decides whether the caller
 * may grant it (superuser, CREATEROLE, or ADMIN OPTION on the role).
 */
final class PermissionStatement implements InterceptedStatement {

    private final Statement.ScriptPermission permission;
    private final EngineServices services;

    PermissionStatement(Statement.ScriptPermission permission, EngineServices services) {
        this.permission = permission;
        this.services = services;
    }

    @Override
    public String label() {
        return (permission.grant() ? "GRANT" : "REVOKE") + " EXECUTE EXTERNAL SCRIPT";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        String role = permission.language() == null ? ScriptPermissions.ANY
                : ScriptPermissions.languageRole(knownLanguage(permission.language()));
        PermissionRoles.ensure(services.catalog(), role);
        String tag = ScriptPermissions.grantOrRevoke(ctx.backend(), permission.grant(), role, permission.roles());
        Audit.administration(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(),
                label() + (permission.language() == null ? " (any language)" : " ON " + permission.language())
                        + (permission.grant() ? " TO " : " FROM ") + String.join(", ", permission.roles()));
        return ConfigureStatement.commandOnly(tag);
    }

    private String knownLanguage(String language) throws PgException {
        List<String> languages;
        try {
            languages = services.launchpad().languages();
        } catch (IOException e) {
            throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "cannot ask the launchpad which languages exist: "
                    + e.getMessage());
        }
        return languages.stream().filter(l -> l.equalsIgnoreCase(language)).findFirst()
                .orElseThrow(() -> new PgException(SqlState.UNDEFINED_OBJECT, "external language \"" + language
                        + "\" does not exist").withHint("languages: " + String.join(", ", languages)));
    }
}
