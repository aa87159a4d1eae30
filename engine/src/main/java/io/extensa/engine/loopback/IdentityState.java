package io.extensa.engine.loopback;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the caller's backend connection acts as, and in which transaction, read from PostgreSQL
 * itself: current_user, session_user, the role and session_authorization settings, and the start
 * of the current transaction (a statement that committed or started a transaction moves it),
 * and the client encoding the caller's driver depends on.
 * Compared before and after every loopback statement, so nothing that changes identity by any
 * route (SET ROLE, set_config, a function, a procedure) goes unnoticed.
 */
public record IdentityState(String currentUser, String sessionUser, String role, String sessionAuthorization,
                            String transactionStart, String clientEncoding) {

    /** The transaction start as epoch microseconds, which no TimeZone or DateStyle setting changes. */
    static final String QUERY = "SELECT current_user::pg_catalog.text, session_user::pg_catalog.text, "
            + "pg_catalog.current_setting('role'), pg_catalog.current_setting('session_authorization'), "
            + "(pg_catalog.date_part('epoch', pg_catalog.now()) * 1000000)::pg_catalog.int8::pg_catalog.text, "
            + "pg_catalog.current_setting('client_encoding')";

    public static IdentityState read(BackendChannel backend) throws PgException {
        List<String> values = new ArrayList<>(6);
        backend.execute(QUERY, List.of(), 0, row -> {
            int fields = row.getShort();
            for (int i = 0; i < fields; i++) {
                int len = row.getInt();
                if (len < 0) {
                    values.add(null);
                } else {
                    byte[] b = new byte[len];
                    row.get(b);
                    values.add(new String(b, StandardCharsets.UTF_8));
                }
            }
        });
        if (values.size() != 6) {
            throw new PgException(io.extensa.pgwire.SqlState.PROTOCOL_VIOLATION,
                    "unexpected answer to the identity check: " + values);
        }
        return new IdentityState(values.get(0), values.get(1), values.get(2), values.get(3), values.get(4),
                values.get(5));
    }

    /** What differs from {@code before}, for the error message; empty when nothing does. */
    public String differenceFrom(IdentityState before) {
        StringBuilder out = new StringBuilder();
        differ(out, "current_user", before.currentUser, currentUser);
        differ(out, "session_user", before.sessionUser, sessionUser);
        differ(out, "role", before.role, role);
        differ(out, "session_authorization", before.sessionAuthorization, sessionAuthorization);
        differ(out, "transaction", before.transactionStart, transactionStart);
        // the gateway and the caller's driver rely on the session's encoding
        differ(out, "client_encoding", before.clientEncoding, clientEncoding);
        return out.toString();
    }

    private static void differ(StringBuilder out, String what, String before, String after) {
        if (!java.util.Objects.equals(before, after)) {
            out.append(out.isEmpty() ? "" : ", ").append(what).append(": ").append(before).append(" -> ").append(after);
        }
    }
}
