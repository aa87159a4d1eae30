package io.extensa.engine.script.parallelread;

import io.extensa.engine.catalog.Catalog;
import io.extensa.pgwire.PgException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login roles for the connections of parallel input reads. Each is created by Extensa's service
 * connection for one caller ({@link ReaderPool} keeps it and its connections for a while), as a
 * member of the caller's role only, with a random password that never leaves this JVM
 * (PostgreSQL gets its SCRAM verifier). Such a role can be the caller or less, never more. Roles
 * this gateway did not create (left behind by a gateway that died) are dropped before the first read.
 */
public final class ReaderRoles {

    static final String PREFIX = "extensa_pread_";
    private static final Logger log = LoggerFactory.getLogger(ReaderRoles.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'")
            .withZone(ZoneOffset.UTC);

    private final Catalog catalog;
    /** Role names of this gateway start with PREFIX + instance + "_". */
    private final String instance;
    private boolean swept;

    public ReaderRoles(Catalog catalog, String instance) {
        this.catalog = catalog;
        this.instance = instance.replaceAll("[^a-z0-9]", "");
    }

    /** A role's name and the password to log in with. */
    record Login(String role, String password) {
    }

    /** Creates a login role that is a member of {@code callerRole} and may have {@code connections} at once. */
    Login create(String callerRole, String tag, int connections) throws PgException {
        sweepOnce();
        String role = PREFIX + instance + "_" + tag.replaceAll("[^a-zA-Z0-9]", "_").toLowerCase();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String until = UNTIL.format(Instant.now().plus(10, ChronoUnit.MINUTES));
        catalog.query("CREATE ROLE " + Sql.identifier(role) + " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE"
                + " NOREPLICATION NOBYPASSRLS CONNECTION LIMIT " + connections + " VALID UNTIL "
                + Sql.literal(until) + " PASSWORD " + Sql.literal(ScramVerifier.of(password, salt)) + " IN ROLE "
                + Sql.identifier(callerRole));
        return new Login(role, password);
    }

    /** Drops a role made by {@link #create}; failures are logged (the next sweep retries). */
    void drop(String role) {
        try {
            catalog.query("DROP ROLE IF EXISTS " + Sql.identifier(role));
        } catch (PgException e) {
            log.warn("could not drop the parallel-read role {}: {}", role, e.getMessage());
        }
    }

    /** Drops reader roles this gateway did not create: their gateway is gone, or their call ended badly. */
    private synchronized void sweepOnce() throws PgException {
        if (swept) {
            return;
        }
        List<List<String>> leftovers = catalog.query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE $1"
                + " AND rolname NOT LIKE $2", PREFIX.replace("_", "\\_") + "%",
                (PREFIX + instance + "_").replace("_", "\\_") + "%").rows();
        for (List<String> row : leftovers) {
            log.info("dropping the leftover parallel-read role {}", row.get(0));
            catalog.query("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity"
                    + " WHERE usename = $1", row.get(0));
            drop(row.get(0));
        }
        swept = true;
    }
}
