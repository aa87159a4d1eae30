package io.extensa.engine.catalog;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.client.PgClient;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's tables, versioned: each step runs once, in order, in its own transaction, under an
 * advisory lock so two gateways starting together do not race. A new feature adds a step; steps
 * already shipped are never edited.
 */
final class CatalogSchema {

    private static final Logger log = LoggerFactory.getLogger(CatalogSchema.class);
    /** Any constant; shared by every Extensa gateway that uses this database. */
    private static final long MIGRATION_LOCK = 0x45787465_6e736131L;

    /** Step 1: the schema, its version, and the server configuration switches (sp_configure). */
    static final List<String> STEP_1 = List.of(
            "CREATE SCHEMA IF NOT EXISTS extensa",
            "REVOKE ALL ON SCHEMA extensa FROM PUBLIC",
            "GRANT USAGE ON SCHEMA extensa TO PUBLIC",
            """
            CREATE TABLE IF NOT EXISTS extensa.schema_version (
                version integer NOT NULL,
                applied timestamptz NOT NULL DEFAULT now())""",
            """
            CREATE TABLE IF NOT EXISTS extensa.configuration (
                name text PRIMARY KEY,
                value integer NOT NULL,
                value_in_use integer NOT NULL,
                description text NOT NULL)""");

    /**
     * Step 2: external resource pools (CREATE EXTERNAL RESOURCE POOL) with the built-in default
     * pool, and which roles' scripts run in which pool.
     */
    static final List<String> STEP_2 = List.of(
            """
            CREATE TABLE IF NOT EXISTS extensa.resource_pool (
                name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128 AND strpos(name, '/') = 0),
                max_cpu_percent integer NOT NULL CHECK (max_cpu_percent BETWEEN 1 AND 100),
                max_memory_percent integer NOT NULL CHECK (max_memory_percent BETWEEN 1 AND 100),
                max_processes integer NOT NULL CHECK (max_processes >= 0),
                modified timestamptz NOT NULL DEFAULT now())""",
            "INSERT INTO extensa.resource_pool (name, max_cpu_percent, max_memory_percent, max_processes)"
                    + " VALUES ('default', 100, 20, 0) ON CONFLICT (name) DO NOTHING",
            """
            CREATE TABLE IF NOT EXISTS extensa.resource_pool_role (
                role text PRIMARY KEY,
                pool text NOT NULL REFERENCES extensa.resource_pool (name))""",
            "GRANT SELECT ON extensa.resource_pool, extensa.resource_pool_role TO PUBLIC");

    private static final List<List<String>> STEPS = List.of(STEP_1, STEP_2);

    private CatalogSchema() {
    }

    static void migrate(PgClient client) throws PgException {
        client.execute("SELECT pg_catalog.pg_advisory_lock(" + MIGRATION_LOCK + ")");
        try {
            int version = currentVersion(client);
            for (int step = version; step < STEPS.size(); step++) {
                StringBuilder script = new StringBuilder("BEGIN;\n");
                for (String statement : STEPS.get(step)) {
                    script.append(statement).append(";\n");
                }
                script.append("INSERT INTO extensa.schema_version (version) VALUES (").append(step + 1).append(");\n")
                        .append("COMMIT");
                try {
                    client.execute(script.toString());
                } catch (PgException e) {
                    client.execute("ROLLBACK");
                    throw e;
                }
                log.info("catalog schema upgraded to version {}", step + 1);
            }
        } finally {
            client.execute("SELECT pg_catalog.pg_advisory_unlock(" + MIGRATION_LOCK + ")");
        }
    }

    private static int currentVersion(PgClient client) throws PgException {
        String exists = client.query("SELECT pg_catalog.to_regclass('extensa.schema_version') IS NOT NULL").single();
        if (!"t".equals(exists)) {
            return 0;
        }
        String v = client.query("SELECT coalesce(max(version), 0) FROM extensa.schema_version").single();
        return Integer.parseInt(v);
    }
}
