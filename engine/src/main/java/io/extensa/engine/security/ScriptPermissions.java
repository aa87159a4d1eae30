package io.extensa.engine.security;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.DeferredDescription;
import io.extensa.pgwire.intercept.RowHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Who may run scripts, kept as PostgreSQL roles so DBAs manage and inspect them with their usual
 * tools ({@code \du}, pg_roles, GRANT ... TO ...): membership of
 * {@value #ANY} allows every language, membership of {@code extensa_execute_external_script_<language>}
 * one language; superusers always may. The check runs on the caller's own connection, so it sees
 * exactly the role the caller is using (SET ROLE included).
 */
public final class ScriptPermissions {

    public static final String ANY = "extensa_execute_any_external_script";
    private static final String LANGUAGE_PREFIX = "extensa_execute_external_script_";
    private static final int TEXT = 25;

    private ScriptPermissions() {
    }

    /** The role granting one language, e.g. extensa_execute_external_script_python. */
    public static String languageRole(String language) throws PgException {
        String lower = language.toLowerCase(Locale.ROOT);
        if (!lower.matches("[a-z][a-z0-9_]{0,29}")) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "invalid external language name '" + language + "'");
        }
        return LANGUAGE_PREFIX + lower;
    }

    /**
     * What a permitted call learnt in its first round trip: the caller's statement_timeout and,
     * when asked for, PostgreSQL's description of the call's input query.
     */
    public record Checked(long statementTimeoutMillis, DeferredDescription input) {
    }

    /**
     * Fails with 42501 naming the missing permission unless the caller may run this language;
     * returns the caller's statement_timeout in milliseconds (0 for none), read in the same round
     * trip because every call needs it next. When {@code describeSql} is not null, Parse + Describe
     * of it go out in the same write (a call's input query is described in the check's round
     * trip); a refused caller gets the refusal, whatever the describe said. {@code meanwhile} runs
     * while PostgreSQL answers.
     */
    public static Checked check(BackendChannel backend, String language, String describeSql,
                                BackendChannel.Meanwhile meanwhile) throws PgException {
        String languageRole = languageRole(language);
        boolean[] allowed = {false};
        long[] statementTimeout = {0};
        // no views and no subquery: the check runs before every call, often on caches gone cold
        // since the caller's last statement, and parsing and planning pg_roles then cost a millisecond
        // (nor pg_settings for the timeout: that view builds a row for every setting). is_superuser
        // follows SET ROLE and cannot be set; to_regrole is null for a role that was never created
        String sql = "SELECT pg_catalog.current_setting('is_superuser')::pg_catalog.bool"
                + " OR coalesce(pg_catalog.pg_has_role(pg_catalog.to_regrole($1)::pg_catalog.oid, 'MEMBER'), false)"
                + " OR coalesce(pg_catalog.pg_has_role(pg_catalog.to_regrole($2)::pg_catalog.oid, 'MEMBER'), false), "
                + "(pg_catalog.date_part('epoch', pg_catalog.current_setting('statement_timeout')"
                + "::pg_catalog.interval) * 1000)::pg_catalog.int8";
        List<BindValue> parameters = List.of(text(ANY), text(languageRole));
        short[] textResults = {0};
        RowHandler readRow = row -> {
            row.getShort();
            int len = row.getInt();
            allowed[0] = len == 1 && row.get() == 't';
            int timeoutLength = row.getInt();
            if (timeoutLength > 0) {
                byte[] digits = new byte[timeoutLength];
                row.get(digits);
                statementTimeout[0] = parseMillis(new String(digits, StandardCharsets.US_ASCII));
            }
        };
        DeferredDescription input = null;
        if (describeSql == null) {
            meanwhile.run();
            backend.execute(sql, parameters, textResults, readRow);
        } else {
            input = backend.executeThenDescribe(sql, parameters, textResults, readRow, describeSql, meanwhile);
        }
        if (!allowed[0]) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to run external scripts in "
                    + "language '" + language + "': the role lacks EXECUTE ANY EXTERNAL SCRIPT (role " + ANY
                    + ") and EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::" + language + " (role " + languageRole + ")")
                    .withHint("a DBA can run: GRANT EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::" + language
                            + " TO <role>");
        }
        return new Checked(statementTimeout[0], input);
    }

    private static long parseMillis(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** GRANT or REVOKE the permission role, on the caller's connection: PostgreSQL decides whether the caller may. */
    public static String grantOrRevoke(BackendChannel backend, boolean grant, String role, List<String> grantees)
            throws PgException {
        StringBuilder sql = new StringBuilder(grant ? "GRANT " : "REVOKE ").append(quote(role))
                .append(grant ? " TO " : " FROM ");
        for (int i = 0; i < grantees.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(quote(grantees.get(i)));
        }
        return backend.execute(sql.toString(), List.of(), 0, null);
    }

    private static BindValue text(String value) {
        return new BindValue(TEXT, 0, value.getBytes(StandardCharsets.UTF_8));
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
