package io.extensa.engine.pools;

import io.extensa.engine.catalog.Catalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadException;
import io.extensa.protocol.launch.PoolDefinition;
import io.extensa.protocol.launch.Pools;
import io.extensa.protocol.launch.PoolsApplied;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * External resource pools, SQL Server's resource governor for external scripts: the pools and the
 * role-to-pool routes live in the catalog ({@code extensa_catalog.resource_pool},
 * {@code extensa_catalog.resource_pool_role}); ALTER RESOURCE GOVERNOR RECONFIGURE (and the server's
 * start) sends them to the launchpad, which enforces them.
 *
 * <p>Which pool a call runs in: the pool routed to the caller's own role (session user), else the
 * pool of the first role, by name, that the caller is a member of and that has a route, else
 * {@code default}. Routes are cached per user for a few seconds.
 */
public final class ResourceGovernor {

    private static final Logger log = LoggerFactory.getLogger(ResourceGovernor.class);
    private static final long CACHE_NANOS = 5_000_000_000L;

    private final Catalog catalog;
    private final LaunchpadClient launchpad;
    private final Map<String, CachedRoute> routes = new ConcurrentHashMap<>();

    private record CachedRoute(String pool, long at) {
    }

    public ResourceGovernor(Catalog catalog, LaunchpadClient launchpad) {
        this.catalog = catalog;
        this.launchpad = launchpad;
    }

    /** The pool the calls of {@code user} run in. */
    public String poolFor(String user) throws PgException {
        CachedRoute cached = routes.get(user);
        long now = System.nanoTime();
        if (cached != null && now - cached.at() < CACHE_NANOS) {
            return cached.pool();
        }
        // memberships as granted, followed through groups: not pg_has_role, by which a superuser is a
        // member of every role and so would land in whichever routed pool sorts first
        String pool = catalog.query("""
                WITH RECURSIVE member_of(oid) AS (
                    SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1
                    UNION
                    SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN member_of ON m.member = member_of.oid)
                SELECT r.pool FROM extensa_catalog.resource_pool_role r
                WHERE r.role = $1 OR r.role IN (SELECT g.rolname FROM pg_catalog.pg_roles g JOIN member_of USING (oid))
                ORDER BY r.role = $1 DESC, r.role LIMIT 1""", user).rows().stream()
                .findFirst().map(row -> row.get(0)).orElse(PoolDefinition.DEFAULT_POOL);
        routes.put(user, new CachedRoute(pool, now));
        return pool;
    }

    /** The pools in the catalog, {@code default} first. */
    public List<PoolDefinition> pools() throws PgException {
        PgClient.Result rows = catalog.query("SELECT name, max_cpu_percent, max_memory_percent, max_processes"
                + " FROM extensa_catalog.resource_pool ORDER BY name <> 'default', name");
        List<PoolDefinition> pools = new ArrayList<>();
        for (List<String> row : rows.rows()) {
            pools.add(new PoolDefinition(row.get(0), Integer.parseInt(row.get(1)), Integer.parseInt(row.get(2)),
                    Integer.parseInt(row.get(3))));
        }
        return pools;
    }

    public void create(String name, Integer cpu, Integer memory, Integer processes) throws PgException {
        PoolDefinition pool = validate(name, cpu == null ? 100 : cpu,
                memory == null ? PoolDefinition.DEFAULT_POOL_MEMORY_PERCENT : memory, processes == null ? 0 : processes);
        PgClient.Result inserted = catalog.query("INSERT INTO extensa_catalog.resource_pool (name, max_cpu_percent,"
                + " max_memory_percent, max_processes) VALUES ($1, $2::int, $3::int, $4::int)"
                + " ON CONFLICT (name) DO NOTHING RETURNING name", pool.name(), String.valueOf(pool.maxCpuPercent()),
                String.valueOf(pool.maxMemoryPercent()), String.valueOf(pool.maxProcesses()));
        if (inserted.rows().isEmpty()) {
            throw new PgException(SqlState.DUPLICATE_OBJECT, "external resource pool \"" + name + "\" already exists");
        }
    }

    public void alter(String name, Integer cpu, Integer memory, Integer processes) throws PgException {
        PoolDefinition current = pools().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> undefined(name));
        PoolDefinition pool = validate(name, cpu == null ? current.maxCpuPercent() : cpu,
                memory == null ? current.maxMemoryPercent() : memory,
                processes == null ? current.maxProcesses() : processes);
        catalog.query("UPDATE extensa_catalog.resource_pool SET max_cpu_percent = $2::int, max_memory_percent = $3::int,"
                + " max_processes = $4::int, modified = now() WHERE name = $1", name,
                String.valueOf(pool.maxCpuPercent()), String.valueOf(pool.maxMemoryPercent()),
                String.valueOf(pool.maxProcesses()));
    }

    public void drop(String name) throws PgException {
        if (name.equals(PoolDefinition.DEFAULT_POOL)) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "the default external resource pool cannot be dropped");
        }
        List<String> roles = catalog.query("SELECT role FROM extensa_catalog.resource_pool_role WHERE pool = $1 ORDER BY role",
                name).rows().stream().map(row -> row.get(0)).toList();
        if (!roles.isEmpty()) {
            throw new PgException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, "cannot drop external resource pool \""
                    + name + "\": the scripts of role" + (roles.size() > 1 ? "s " : " ") + String.join(", ", roles)
                    + " run in it").withHint("ALTER EXTERNAL RESOURCE POOL \"" + name + "\" DROP ROLE "
                    + String.join(", ", roles) + " first");
        }
        if (catalog.query("DELETE FROM extensa_catalog.resource_pool WHERE name = $1 RETURNING name", name).rows().isEmpty()) {
            throw undefined(name);
        }
    }

    /** Routes the scripts of {@code roles} to {@code pool} (replacing an earlier route of a role). */
    public void addRoles(String pool, List<String> roles) throws PgException {
        if (pools().stream().noneMatch(p -> p.name().equals(pool))) {
            throw undefined(pool);
        }
        for (String role : roles) {
            if (catalog.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", role).rows().isEmpty()) {
                throw new PgException(SqlState.UNDEFINED_OBJECT, "role \"" + role + "\" does not exist");
            }
        }
        for (String role : roles) {
            catalog.query("INSERT INTO extensa_catalog.resource_pool_role (role, pool) VALUES ($1, $2)"
                    + " ON CONFLICT (role) DO UPDATE SET pool = EXCLUDED.pool", role, pool);
        }
        routes.clear();
    }

    public void dropRoles(String pool, List<String> roles) throws PgException {
        for (String role : roles) {
            if (catalog.query("DELETE FROM extensa_catalog.resource_pool_role WHERE role = $1 AND pool = $2 RETURNING role",
                    role, pool).rows().isEmpty()) {
                throw new PgException(SqlState.UNDEFINED_OBJECT, "the scripts of role \"" + role
                        + "\" are not routed to external resource pool \"" + pool + "\"");
            }
        }
        routes.clear();
    }

    /** Sends the catalog's pools to the launchpad; they are in force when this returns. */
    public PoolsApplied reconfigure() throws PgException {
        List<PoolDefinition> pools = pools();
        routes.clear();
        try {
            return launchpad.applyPools(new Pools(pools));
        } catch (LaunchpadException e) {
            throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "the launchpad did not apply the resource pools: "
                    + e.getMessage());
        } catch (IOException e) {
            throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "cannot reach the launchpad to apply the resource"
                    + " pools: " + e.getMessage());
        }
    }

    /** At server start: the launchpad gets the catalog's pools; failures are logged, not fatal. */
    public void applyAtStart() {
        try {
            PoolsApplied applied = reconfigure();
            log.info("resource pools applied: {} ({})", applied.pools().size(), applied.enforcement());
        } catch (PgException | RuntimeException e) {
            log.warn("could not apply the resource pools at start: {}; the launchpad keeps the pools it last applied",
                    e.getMessage());
        }
    }

    private static PoolDefinition validate(String name, int cpu, int memory, int processes) throws PgException {
        try {
            return new PoolDefinition(name, cpu, memory, processes);
        } catch (IllegalArgumentException e) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
        }
    }

    private static PgException undefined(String name) {
        return new PgException(SqlState.UNDEFINED_OBJECT, "external resource pool \"" + name + "\" does not exist");
    }
}
