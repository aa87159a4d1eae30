package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.library.ExternalLibraries;
import io.extensa.engine.library.LibraryCaller;
import io.extensa.engine.library.LibraryFile;
import io.extensa.engine.library.LibraryRecord;
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
 * CREATE, ALTER and DROP EXTERNAL LIBRARY, and GRANT/REVOKE of the two library permissions.
 * Permissions are checked on the caller's own connection (their current role); the library itself
 * is recorded over the catalog connection once its content has been checked and installed.
 */
final class LibraryStatement implements InterceptedStatement {

    private final Statement statement;
    private final EngineServices services;

    LibraryStatement(Statement statement, EngineServices services) {
        this.statement = statement;
        this.services = services;
    }

    @Override
    public String label() {
        return switch (statement) {
            case Statement.CreateLibrary c -> "CREATE EXTERNAL LIBRARY";
            case Statement.AlterLibrary a -> "ALTER EXTERNAL LIBRARY";
            case Statement.DropLibrary d -> "DROP EXTERNAL LIBRARY";
            case Statement.LibraryPermission p -> p.grant() ? "GRANT" : "REVOKE";
            default -> throw new IllegalStateException(statement.toString());
        };
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        if (!(statement instanceof Statement.LibraryPermission)) {
            // a GRANT or REVOKE is the caller's own, in its transaction; the library's row and files are not
            CatalogChange.requireNoTransactionBlock(ctx, label());
        }
        String done = switch (statement) {
            case Statement.CreateLibrary c -> create(ctx, c);
            case Statement.AlterLibrary a -> alter(ctx, a);
            case Statement.DropLibrary d -> drop(ctx, d);
            case Statement.LibraryPermission p -> permission(ctx, p);
            default -> throw new IllegalStateException(statement.toString());
        };
        Audit.administration(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(), done);
        return ConfigureStatement.commandOnly(label());
    }

    private String create(ExecutionContext ctx, Statement.CreateLibrary c) throws PgException {
        ExternalLibraries libraries = services.libraries();
        LibraryCaller caller = LibraryCaller.of(ctx.backend());
        if (!caller.mayCreate()) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to create external library \""
                    + c.name() + "\": the role lacks CREATE EXTERNAL LIBRARY (role " + LibraryCaller.CREATE_ROLE + ")")
                    .withHint("a DBA can run: GRANT CREATE EXTERNAL LIBRARY TO " + caller.role());
        }
        String owner = c.owner() == null ? caller.role() : c.owner();
        if (!owner.equals(caller.role()) && !caller.mayAlterAny()) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to create a library for role \""
                    + owner + "\": AUTHORIZATION needs ALTER ANY EXTERNAL LIBRARY (role "
                    + LibraryCaller.ALTER_ANY_ROLE + ")");
        }
        String language = language(c.language());
        byte[] content = ExternalLibraries.content(c.content().bytes(), c.content().serverPath(), caller);
        List<LibraryFile> files = ExternalLibraries.inspect(c.name(), language, content);
        int scope = LibraryCaller.ownerIsAdministrator(ctx.backend(), owner) ? LibraryRecord.PUBLIC
                : LibraryRecord.PRIVATE;
        String database = ctx.session().database();
        if (libraries.find(database, c.name(), owner) != null) {
            throw new PgException(SqlState.DUPLICATE_OBJECT, "external library \"" + c.name() + "\" of owner \""
                    + owner + "\" already exists").withHint("use ALTER EXTERNAL LIBRARY to replace its content");
        }
        LibraryRecord created = libraries.create(database, c.name(), owner, language, scope, content, files);
        return "CREATE EXTERNAL LIBRARY " + c.name() + " owner " + owner + " language " + language + " scope "
                + (scope == LibraryRecord.PUBLIC ? "public" : "private") + " sha256 " + created.sha256();
    }

    private String alter(ExecutionContext ctx, Statement.AlterLibrary a) throws PgException {
        ExternalLibraries libraries = services.libraries();
        LibraryCaller caller = LibraryCaller.of(ctx.backend());
        LibraryRecord target = target(ctx, caller, a.name(), a.owner(), "alter");
        if (a.language() != null && !a.language().equalsIgnoreCase(target.language())) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "external library \"" + a.name() + "\" is a "
                    + target.language() + " library; ALTER cannot change its language to " + a.language());
        }
        byte[] content = ExternalLibraries.content(a.content().bytes(), a.content().serverPath(), caller);
        List<LibraryFile> files = ExternalLibraries.inspect(target.name(), target.language(), content);
        LibraryRecord updated = libraries.alter(target, content, files);
        return "ALTER EXTERNAL LIBRARY " + target.name() + " owner " + target.owner() + " sha256 " + updated.sha256();
    }

    private String drop(ExecutionContext ctx, Statement.DropLibrary d) throws PgException {
        LibraryCaller caller = LibraryCaller.of(ctx.backend());
        LibraryRecord target = target(ctx, caller, d.name(), d.owner(), "drop");
        services.libraries().drop(target);
        return "DROP EXTERNAL LIBRARY " + target.name() + " owner " + target.owner();
    }

    /**
     * The library an ALTER or DROP means: the named owner's, else the caller's own, else the only
     * one of that name the caller can see. Others' libraries need ALTER ANY EXTERNAL LIBRARY.
     */
    private LibraryRecord target(ExecutionContext ctx, LibraryCaller caller, String name, String owner, String verb)
            throws PgException {
        ExternalLibraries libraries = services.libraries();
        String database = ctx.session().database();
        LibraryRecord found;
        if (owner != null) {
            found = libraries.find(database, name, owner);
        } else {
            found = libraries.find(database, name, caller.role());
            if (found == null) {
                List<LibraryRecord> visible = libraries.findAll(database, name).stream()
                        .filter(l -> l.isPublic() || caller.mayAlterAny()).toList();
                if (visible.size() > 1) {
                    throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "several roles own an external library "
                            + "named \"" + name + "\": " + String.join(", ", visible.stream().map(LibraryRecord::owner)
                            .toList())).withHint("name the owner: " + verb.toUpperCase() + " EXTERNAL LIBRARY " + name
                            + " AUTHORIZATION <owner>");
                }
                found = visible.isEmpty() ? null : visible.get(0);
            }
        }
        boolean own = found != null && found.owner().equals(caller.role());
        if (found == null || !own && !found.isPublic() && !caller.mayAlterAny()) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "external library \"" + name + "\" does not exist"
                    + (owner == null ? "" : " for owner \"" + owner + "\""));
        }
        if (!own && !caller.mayAlterAny()) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to " + verb
                    + " external library \"" + name + "\" of owner \"" + found.owner() + "\": the role lacks ALTER ANY "
                    + "EXTERNAL LIBRARY (role " + LibraryCaller.ALTER_ANY_ROLE + ")");
        }
        return found;
    }

    private String permission(ExecutionContext ctx, Statement.LibraryPermission p) throws PgException {
        String role = p.alterAny() ? LibraryCaller.ALTER_ANY_ROLE : LibraryCaller.CREATE_ROLE;
        PermissionRoles.ensure(services.catalog(), role);
        ScriptPermissions.grantOrRevoke(ctx.backend(), p.grant(), role, p.roles());
        return (p.grant() ? "GRANT " : "REVOKE ") + (p.alterAny() ? "ALTER ANY" : "CREATE") + " EXTERNAL LIBRARY "
                + (p.grant() ? "TO " : "FROM ") + String.join(", ", p.roles());
    }

    /**
     * Python or R (libraries can be installed before the runtime is enabled); a language the
     * launchpad offers but libraries do not support, or an unknown one, is a clear error.
     */
    private String language(String requested) throws PgException {
        for (String l : ExternalLibraries.LANGUAGES) {
            if (l.equalsIgnoreCase(requested)) {
                return l;
            }
        }
        List<String> available;
        try {
            available = services.launchpad().languages();
        } catch (IOException e) {
            available = List.of();
        }
        if (available.stream().anyMatch(l -> l.equalsIgnoreCase(requested))) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "external libraries of language '" + requested
                    + "' are not supported; supported: " + String.join(", ", ExternalLibraries.LANGUAGES));
        }
        throw new PgException(SqlState.UNDEFINED_OBJECT, "external language \"" + requested + "\" does not exist")
                .withHint("libraries can be created for " + String.join(", ", ExternalLibraries.LANGUAGES));
    }
}
