package io.extensa.engine.library;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Who runs a library statement or a script, as PostgreSQL sees it on the caller's own connection
 * (SET ROLE included): the current role, whether it administers libraries of this database
 * (superuser or database owner), and which library permissions it holds through role membership.
 *
 * @param administrator superuser or owner of the current database: its libraries are public, and it
 *                      may create, alter and drop any library
 */
public record LibraryCaller(String role, boolean administrator, boolean mayCreate, boolean mayAlterAny,
                            boolean mayReadServerFiles) {

    public static final String CREATE_ROLE = "extensa_create_external_library";
    public static final String ALTER_ANY_ROLE = "extensa_alter_any_external_library";
    private static final int TEXT = 25;

    private static final String QUERY = """
            SELECT current_user::text,
                   (r.rolsuper OR r.oid = d.datdba)::text,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_roles g WHERE g.rolname = $1
                           AND pg_catalog.pg_has_role(g.oid, 'MEMBER'))::text,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_roles g WHERE g.rolname = $2
                           AND pg_catalog.pg_has_role(g.oid, 'MEMBER'))::text,
                   (r.rolsuper OR pg_catalog.pg_has_role('pg_read_server_files', 'MEMBER'))::text
            FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
            WHERE r.rolname = current_user AND d.datname = pg_catalog.current_database()""";

    public static LibraryCaller of(BackendChannel backend) throws PgException {
        List<String> row = single(backend, QUERY, CREATE_ROLE, ALTER_ANY_ROLE);
        boolean admin = "true".equals(row.get(1));
        return new LibraryCaller(row.get(0), admin, admin || "true".equals(row.get(2)),
                admin || "true".equals(row.get(3)), "true".equals(row.get(4)));
    }

    /** Whether an owner's libraries are public: the owner is a superuser or owns the current database. */
    public static boolean ownerIsAdministrator(BackendChannel backend, String owner) throws PgException {
        List<String> row = single(backend, """
                SELECT (r.rolsuper OR r.oid = d.datdba)::text
                FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
                WHERE r.rolname = $1 AND d.datname = pg_catalog.current_database()""", owner);
        if (row == null) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "role \"" + owner + "\" does not exist");
        }
        return "true".equals(row.get(0));
    }

    private static List<String> single(BackendChannel backend, String sql, String... values) throws PgException {
        List<BindValue> binds = new ArrayList<>();
        for (String v : values) {
            binds.add(new BindValue(TEXT, 0, v.getBytes(StandardCharsets.UTF_8)));
        }
        List<List<String>> rows = new ArrayList<>();
        backend.execute(sql, binds, 0, body -> rows.add(texts(body)));
        return rows.isEmpty() ? null : rows.get(0);
    }

    static List<String> texts(ByteBuffer body) {
        int count = body.getShort();
        List<String> values = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int length = body.getInt();
            if (length < 0) {
                values.add(null);
            } else {
                byte[] b = new byte[length];
                body.get(b);
                values.add(new String(b, StandardCharsets.UTF_8));
            }
        }
        return values;
    }
}
