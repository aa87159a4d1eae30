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

    /**
     * Step 1: the schema, its version, and the server configuration switches (sp_configure). The
     * schema is not called {@code extensa}: the embedded default's admin role is, and the default
     * search_path's {@code "$user"} would then put the admin's unqualified new tables into it.
     */
    static final List<String> STEP_1 = List.of(
            "CREATE SCHEMA IF NOT EXISTS extensa_catalog",
            "REVOKE ALL ON SCHEMA extensa_catalog FROM PUBLIC",
            "GRANT USAGE ON SCHEMA extensa_catalog TO PUBLIC",
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.schema_version (
                version integer NOT NULL,
                applied timestamptz NOT NULL DEFAULT now())""",
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.configuration (
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
            CREATE TABLE IF NOT EXISTS extensa_catalog.resource_pool (
                name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128 AND strpos(name, '/') = 0),
                max_cpu_percent integer NOT NULL CHECK (max_cpu_percent BETWEEN 1 AND 100),
                max_memory_percent integer NOT NULL CHECK (max_memory_percent BETWEEN 1 AND 100),
                max_processes integer NOT NULL CHECK (max_processes >= 0),
                modified timestamptz NOT NULL DEFAULT now())""",
            "INSERT INTO extensa_catalog.resource_pool (name, max_cpu_percent, max_memory_percent, max_processes)"
                    + " VALUES ('default', 100, 20, 0) ON CONFLICT (name) DO NOTHING",
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.resource_pool_role (
                role text PRIMARY KEY,
                pool text NOT NULL REFERENCES extensa_catalog.resource_pool (name))""",
            "GRANT SELECT ON extensa_catalog.resource_pool, extensa_catalog.resource_pool_role TO PUBLIC");

    /**
     * Step 3 (issue 7): external libraries (content kept here, so a backup of this database carries
     * them), their files, execution counters per language, live requests and pool usage (UNLOGGED:
     * they describe this moment only), and the {@code sys} views over them.
     */
    static final List<String> STEP_3 = List.of(
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.external_libraries (
                id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                database_name text NOT NULL,
                name text NOT NULL,
                owner text NOT NULL,
                language text NOT NULL,
                scope smallint NOT NULL CHECK (scope IN (0, 1)),
                content bytea NOT NULL,
                content_sha256 text NOT NULL,
                size bigint NOT NULL,
                created timestamptz NOT NULL DEFAULT now(),
                altered timestamptz NOT NULL DEFAULT now())""",
            """
            CREATE UNIQUE INDEX IF NOT EXISTS external_libraries_name
                ON extensa_catalog.external_libraries (database_name, lower(name), owner)""",
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.external_library_files (
                library_id integer NOT NULL REFERENCES extensa_catalog.external_libraries (id) ON DELETE CASCADE,
                path text NOT NULL,
                size bigint NOT NULL,
                PRIMARY KEY (library_id, path))""",
            """
            CREATE TABLE IF NOT EXISTS extensa_catalog.execution_stats (
                language text NOT NULL,
                counter_name text NOT NULL,
                counter_value bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (language, counter_name))""",
            """
            CREATE UNLOGGED TABLE IF NOT EXISTS extensa_catalog.script_requests (
                request_id text PRIMARY KEY,
                gateway_pid integer NOT NULL,
                session_id bigint NOT NULL,
                backend_pid integer NOT NULL,
                user_name text NOT NULL,
                database_name text NOT NULL,
                language text NOT NULL,
                pool text NOT NULL,
                degree_of_parallelism integer NOT NULL,
                state text NOT NULL,
                started timestamptz NOT NULL,
                rows_in bigint NOT NULL DEFAULT 0,
                rows_out bigint NOT NULL DEFAULT 0,
                memory_kb bigint,
                worker text)""",
            """
            CREATE UNLOGGED TABLE IF NOT EXISTS extensa_catalog.resource_pool_usage (
                gateway_pid integer NOT NULL,
                pool_id integer NOT NULL,
                name text NOT NULL,
                max_cpu_percent integer NOT NULL,
                max_memory_percent integer NOT NULL,
                max_processes integer NOT NULL,
                active_processes_count integer NOT NULL,
                queued_count integer NOT NULL,
                peak_memory_kb bigint NOT NULL,
                total_cpu_user_ms bigint NOT NULL,
                total_cpu_kernel_ms bigint NOT NULL,
                updated timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (gateway_pid, name))""",
            "CREATE SCHEMA IF NOT EXISTS sys",
            "GRANT USAGE ON SCHEMA sys TO PUBLIC",
            """
            CREATE OR REPLACE VIEW sys.external_libraries AS
            SELECT l.id AS external_library_id, l.name, l.owner, l.language, l.scope,
                   CASE l.scope WHEN 0 THEN 'PUBLIC' ELSE 'PRIVATE' END AS scope_desc,
                   l.database_name, l.created, l.altered, l.size, l.content_sha256
            FROM extensa_catalog.external_libraries l
            WHERE l.scope = 0
               OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles o
                          WHERE o.rolname = l.owner AND pg_catalog.pg_has_role(o.oid, 'MEMBER'))
               OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER)""",
            """
            CREATE OR REPLACE VIEW sys.external_library_files AS
            SELECT f.library_id AS external_library_id, f.path, f.size
            FROM extensa_catalog.external_library_files f
            JOIN sys.external_libraries l ON l.external_library_id = f.library_id""",
            """
            CREATE OR REPLACE VIEW sys.dm_external_script_requests AS
            SELECT r.request_id AS external_script_request_id, r.session_id, r.backend_pid AS pid,
                   r.user_name, r.database_name, r.language, r.pool, r.degree_of_parallelism, r.state,
                   r.started, now() - r.started AS elapsed, r.rows_in, r.rows_out, r.memory_kb,
                   r.worker AS external_user_name, r.gateway_pid
            FROM extensa_catalog.script_requests r""",
            """
            CREATE OR REPLACE VIEW sys.dm_external_script_execution_stats AS
            SELECT language, counter_name, counter_value FROM extensa_catalog.execution_stats""",
            """
            CREATE OR REPLACE VIEW sys.dm_resource_governor_external_resource_pools AS
            SELECT p.pool_id AS external_pool_id, p.name, p.max_cpu_percent, p.max_memory_percent,
                   p.max_processes, sum(p.active_processes_count)::integer AS active_processes_count,
                   sum(p.queued_count)::integer AS queued_count, max(p.peak_memory_kb) AS peak_memory_kb,
                   sum(p.total_cpu_user_ms)::bigint AS total_cpu_user_ms,
                   sum(p.total_cpu_kernel_ms)::bigint AS total_cpu_kernel_ms
            FROM extensa_catalog.resource_pool_usage p
            GROUP BY p.pool_id, p.name, p.max_cpu_percent, p.max_memory_percent, p.max_processes""",
            """
            CREATE UNLOGGED TABLE IF NOT EXISTS extensa_catalog.external_languages (
                name text PRIMARY KEY,
                language_id integer NOT NULL,
                warm boolean NOT NULL,
                updated timestamptz NOT NULL DEFAULT now())""",
            """
            CREATE OR REPLACE VIEW sys.external_languages AS
            SELECT language_id AS external_language_id, name, warm, updated FROM extensa_catalog.external_languages""",
            """
            GRANT SELECT ON sys.external_libraries, sys.external_library_files, sys.dm_external_script_requests,
                sys.dm_external_script_execution_stats, sys.dm_resource_governor_external_resource_pools,
                sys.external_languages TO PUBLIC""");

    /**
     * Step 4: pools keep their id for life (the usage DMV numbered them by name, so a new pool
     * could renumber others), the default pool being 2 as in SQL Server, and the stored
     * configuration is a view of its own: what {@code ALTER RESOURCE GOVERNOR RECONFIGURE} will put
     * in force, beside the DMV's pools in force now.
     */
    static final List<String> STEP_4 = List.of(
            """
            ALTER TABLE extensa_catalog.resource_pool
                ADD COLUMN IF NOT EXISTS pool_id integer GENERATED BY DEFAULT AS IDENTITY (START WITH 256)""",
            "UPDATE extensa_catalog.resource_pool SET pool_id = 2 WHERE name = 'default'",
            """
            CREATE UNIQUE INDEX IF NOT EXISTS resource_pool_id ON extensa_catalog.resource_pool (pool_id)""",
            """
            CREATE OR REPLACE VIEW sys.resource_governor_external_resource_pools AS
            SELECT p.pool_id AS external_pool_id, p.name, p.max_cpu_percent, p.max_memory_percent, p.max_processes,
                   p.modified, coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM extensa_catalog.resource_pool_role r
                                         WHERE r.pool = p.name), '{}') AS roles
            FROM extensa_catalog.resource_pool p""",
            """
            CREATE OR REPLACE VIEW sys.dm_resource_governor_external_resource_pools AS
            SELECT coalesce(c.pool_id, min(p.pool_id)) AS external_pool_id, p.name, p.max_cpu_percent,
                   p.max_memory_percent, p.max_processes, sum(p.active_processes_count)::integer AS active_processes_count,
                   sum(p.queued_count)::integer AS queued_count, max(p.peak_memory_kb) AS peak_memory_kb,
                   sum(p.total_cpu_user_ms)::bigint AS total_cpu_user_ms,
                   sum(p.total_cpu_kernel_ms)::bigint AS total_cpu_kernel_ms
            FROM extensa_catalog.resource_pool_usage p
            LEFT JOIN extensa_catalog.resource_pool c ON c.name = p.name
            GROUP BY c.pool_id, p.name, p.max_cpu_percent, p.max_memory_percent, p.max_processes""",
            "GRANT SELECT ON sys.resource_governor_external_resource_pools TO PUBLIC");

    /** A numbered step; numbers are reserved per feature, so steps may land in any order. */
    record Step(int version, List<String> statements) {
    }

    static final List<Step> STEPS = List.of(new Step(1, STEP_1), new Step(2, STEP_2), new Step(3, STEP_3),
            new Step(4, STEP_4));

    private CatalogSchema() {
    }

    /** Runs every step whose number the catalog has not recorded yet, in order of number. */
    static void migrate(PgClient client) throws PgException {
        client.execute("SELECT pg_catalog.pg_advisory_lock(" + MIGRATION_LOCK + ")");
        try {
            java.util.Set<Integer> applied = appliedVersions(client);
            List<Step> steps = STEPS.stream().sorted(java.util.Comparator.comparingInt(Step::version)).toList();
            for (Step step : steps) {
                if (applied.contains(step.version())) {
                    continue;
                }
                StringBuilder script = new StringBuilder("BEGIN;\n");
                for (String statement : step.statements()) {
                    script.append(statement).append(";\n");
                }
                script.append("INSERT INTO extensa_catalog.schema_version (version) VALUES (").append(step.version())
                        .append(");\n").append("COMMIT");
                try {
                    client.execute(script.toString());
                } catch (PgException e) {
                    client.execute("ROLLBACK");
                    throw e;
                }
                log.info("catalog schema step {} applied", step.version());
            }
        } finally {
            client.execute("SELECT pg_catalog.pg_advisory_unlock(" + MIGRATION_LOCK + ")");
        }
    }

    private static java.util.Set<Integer> appliedVersions(PgClient client) throws PgException {
        String exists = client.query("SELECT pg_catalog.to_regclass('extensa_catalog.schema_version') IS NOT NULL").single();
        if (!"t".equals(exists)) {
            return java.util.Set.of();
        }
        java.util.Set<Integer> versions = new java.util.HashSet<>();
        for (List<String> row : client.query("SELECT DISTINCT version FROM extensa_catalog.schema_version").rows()) {
            versions.add(Integer.parseInt(row.get(0)));
        }
        return versions;
    }
}
