package io.extensa.engine.security;

import io.extensa.engine.catalog.Catalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

/** Creates Extensa's permission roles (NOLOGIN, cluster-wide) over the catalog connection, once each. */
public final class PermissionRoles {

    private PermissionRoles() {
    }

    public static void ensure(Catalog catalog, String role) throws PgException {
        if ("1".equals(catalog.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", role).single())) {
            return;
        }
        try {
            catalog.query("CREATE ROLE " + ScriptPermissions.quote(role) + " NOLOGIN");
            catalog.query("COMMENT ON ROLE " + ScriptPermissions.quote(role) + " IS "
                    + "'Extensa permission role: members hold the permission it names (" + role + ")'");
        } catch (PgException e) {
            if (!e.sqlState().equals(SqlState.DUPLICATE_OBJECT)) {
                throw e;
            }
        }
    }

    /** Fails with 42501 unless the caller's current role is a superuser. */
    public static void requireSuperuser(io.extensa.pgwire.intercept.BackendChannel backend, String what)
            throws PgException {
        boolean[] superuser = {false};
        backend.execute("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user",
                java.util.List.of(), 0, row -> {
                    row.getShort();
                    superuser[0] = row.getInt() == 1 && row.get() == 't';
                });
        if (!superuser[0]) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied: only superusers may " + what);
        }
    }
}
