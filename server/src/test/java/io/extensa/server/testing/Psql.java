package io.extensa.server.testing;

import io.extensa.server.process.CommandResult;
import io.extensa.server.process.CommandRunner;
import java.util.List;
import java.util.Map;

/** The real psql client, for connecting to the managed PostgreSQL's socket or to the gateway. */
public final class Psql {

    private Psql() {
    }

    /** Runs {@code sql} as role extensa on database extensa at {@code host} (a socket directory or an address). */
    public static CommandResult run(String host, int port, String password, String sql) {
        return CommandRunner.inherited().withoutEnvironmentPrefix("PG")
                .withEnvironment(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"))
                .run(List.of("psql", "-X", "-w", "-At", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", Integer.toString(port),
                        "-U", "extensa", "-d", "extensa", "-c", sql));
    }

    /** Like {@link #run} but fails unless psql succeeded; returns its output without surrounding blanks. */
    public static String query(String host, int port, String password, String sql) {
        CommandResult result = run(host, port, password, sql);
        if (!result.succeeded()) {
            throw new AssertionError("psql failed: " + result.describe());
        }
        return result.output().strip();
    }
}
