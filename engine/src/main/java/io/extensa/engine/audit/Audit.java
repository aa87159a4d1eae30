package io.extensa.engine.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one line per script call (and per refused one), on logger {@code extensa.audit},
 * which the server writes to DIR/log/audit.log. Fields are key=value, values quoted when they hold spaces.
 */
public final class Audit {

    private static final Logger log = LoggerFactory.getLogger("extensa.audit");

    private Audit() {
    }

    public static void script(String user, String database, long sessionId, String language, String pool,
                              String request, String outcome, double millis, long rowsIn, long rowsOut) {
        log.info("script user={} database={} session={} language={} pool={} request={} outcome={} "
                        + "duration_ms={} rows_in={} rows_out={}", quote(user), quote(database), sessionId,
                quote(language), quote(pool), request, quote(outcome), String.format("%.1f", millis), rowsIn, rowsOut);
    }

    public static void denied(String user, String database, long sessionId, String what, String reason) {
        log.info("denied user={} database={} session={} action={} reason={}", quote(user), quote(database),
                sessionId, quote(what), quote(reason));
    }

    public static void administration(String user, String database, long sessionId, String statement) {
        log.info("admin user={} database={} session={} statement={}", quote(user), quote(database), sessionId,
                quote(statement));
    }

    private static String quote(String value) {
        if (value == null) {
            return "-";
        }
        return value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '"')
                ? '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"' : value;
    }
}
