package io.extensa.it.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * External resource pools end to end: the DDL through the gateway into the catalog, routes from
 * roles to pools, the launchpad enforcing MAX_PROCESSES with its queue, memory and CPU limits with
 * cgroups (where the machine lets it; those tests are skipped with the reason otherwise), and
 * statement_timeout and cancel on scripts.
 */
class ResourcePoolsIT {

    private static final String[] ROLES = {"pool_tiny_user", "pool_one_user", "pool_cpu_user", "pool_member"};
    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            for (String pool : new String[] {"it_tiny", "it_one", "it_cpu", "it_group", "it_ddl"}) {
                s.execute("DELETE FROM extensa_catalog.resource_pool_role WHERE pool = '" + pool + "'");
                s.execute("DELETE FROM extensa_catalog.resource_pool WHERE name = '" + pool + "'");
            }
            for (String role : ROLES) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
                s.execute("GRANT CONNECT ON DATABASE extensa TO " + role);
                s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + role);
            }
            s.execute("CREATE EXTERNAL RESOURCE POOL it_tiny WITH (MAX_MEMORY_PERCENT = 1)");
            s.execute("CREATE EXTERNAL RESOURCE POOL it_one WITH (MAX_PROCESSES = 1)");
            s.execute("CREATE EXTERNAL RESOURCE POOL it_cpu WITH (MAX_CPU_PERCENT = 10)");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_tiny ADD ROLE pool_tiny_user");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_one ADD ROLE pool_one_user");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_cpu ADD ROLE pool_cpu_user");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
    }

    private static Connection as(String role) throws SQLException {
        return stack.connectAs(role, "pw-" + role);
    }

    private static String python(String script) {
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + script.replace("'", "''") + "'";
    }

    private static LaunchpadStatus launchpad() throws Exception {
        return new LaunchpadClient(stack.server().launchpadSocket()).status();
    }

    /** Whether the launchpad enforces limits with this cgroup controller ("cgroup v1 (memory, cpu, pids) at ..."). */
    private static boolean enforces(String controller) throws Exception {
        String enforcement = launchpad().enforcement();
        if (!enforcement.startsWith("cgroup") || enforcement.indexOf(')') < 0) {
            return false;
        }
        String controllers = enforcement.substring(enforcement.indexOf('(') + 1, enforcement.indexOf(')'));
        return List.of(controllers.split(", ")).contains(controller);
    }

    private static List<String> column(ResultSet rs) throws SQLException {
        return column(rs, 1);
    }

    private static List<String> column(ResultSet rs, int index) throws SQLException {
        List<String> values = new ArrayList<>();
        while (rs.next()) {
            values.add(rs.getString(index));
        }
        return values;
    }

    @Test
    void poolDdlGoesThroughTheCatalogAndSurvivesARestart() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTERNAL RESOURCE POOL it_ddl WITH (MAX_CPU_PERCENT = 40, MAX_PROCESSES = 3)");
            SQLWarning notice = s.getWarnings();
            assertThat(notice.getMessage()).contains("ALTER RESOURCE GOVERNOR RECONFIGURE");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_ddl WITH (MAX_MEMORY_PERCENT = 15)");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_ddl ADD ROLE pool_member");
            try (ResultSet rs = s.executeQuery("SELECT max_cpu_percent, max_memory_percent, max_processes"
                    + " FROM extensa_catalog.resource_pool WHERE name = 'it_ddl'")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(40, 15, 3);
            }
            assertThat(launchpad().pool("it_ddl")).as("not in force before RECONFIGURE").isEmpty();
            int id;
            try (ResultSet rs = s.executeQuery("SELECT external_pool_id, max_cpu_percent, max_memory_percent,"
                    + " max_processes, roles FROM sys.resource_governor_external_resource_pools WHERE name = 'it_ddl'")) {
                assertThat(rs.next()).as("the stored configuration shows at once").isTrue();
                id = rs.getInt(1);
                assertThat(id).isGreaterThanOrEqualTo(256);
                assertThat(List.of(rs.getInt(2), rs.getInt(3), rs.getInt(4))).containsExactly(40, 15, 3);
                assertThat(rs.getString(5)).isEqualTo("{pool_member}");
            }
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
            LaunchpadStatus.PoolInfo applied = launchpad().pool("it_ddl").orElseThrow();
            assertThat(List.of(applied.maxCpuPercent(), applied.maxMemoryPercent(), applied.maxProcesses()))
                    .containsExactly(40, 15, 3);
            // the monitoring view shows the pools in force (refreshed every second)
            String row = null;
            for (int i = 0; i < 100 && row == null; i++) {
                try (ResultSet rs = s.executeQuery("SELECT external_pool_id, max_cpu_percent, max_memory_percent,"
                        + " max_processes FROM sys.dm_resource_governor_external_resource_pools WHERE name = 'it_ddl'")) {
                    if (rs.next()) {
                        row = rs.getInt(1) + " " + rs.getInt(2) + " " + rs.getInt(3) + " " + rs.getInt(4);
                    }
                }
                if (row == null) {
                    Thread.sleep(100);
                }
            }
            assertThat(row).isEqualTo(id + " 40 15 3");
            // a pool whose name sorts first does not renumber the others
            s.execute("CREATE EXTERNAL RESOURCE POOL aaa_it_first");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
            Thread.sleep(2500);
            try (ResultSet rs = s.executeQuery("SELECT name, external_pool_id FROM"
                    + " sys.dm_resource_governor_external_resource_pools WHERE name IN ('default', 'it_ddl') ORDER BY name")) {
                assertThat(column(rs, 2)).containsExactly("2", String.valueOf(id));
            }
            s.execute("DROP EXTERNAL RESOURCE POOL aaa_it_first");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");

            assertError(s, "CREATE EXTERNAL RESOURCE POOL it_ddl", "42710", "external resource pool \"it_ddl\" already exists");
            assertError(s, "DROP EXTERNAL RESOURCE POOL it_ddl", "2BP01", "the scripts of role pool_member run in it");
            assertError(s, "DROP EXTERNAL RESOURCE POOL \"default\"", "42501", "cannot be dropped");
            assertError(s, "ALTER EXTERNAL RESOURCE POOL nope WITH (MAX_PROCESSES = 1)", "42704", "\"nope\" does not exist");
            assertError(s, "ALTER EXTERNAL RESOURCE POOL it_ddl WITH (MAX_CPU_PERCENT = 0)", "22023",
                    "MAX_CPU_PERCENT must be between 1 and 100, not 0");
            assertError(s, "ALTER EXTERNAL RESOURCE POOL it_ddl ADD ROLE no_such_role", "42704", "role \"no_such_role\"");
            assertError(s, "CREATE EXTERNAL RESOURCE POOL x WITH (MAX_PROCESSES = )", "42601", "syntax error at or near \")\"");
        }
        try (Connection member = as("pool_member"); Statement s = member.createStatement()) {
            assertError(s, "CREATE EXTERNAL RESOURCE POOL mine", "42501", "only superusers");
            assertError(s, "ALTER RESOURCE GOVERNOR RECONFIGURE", "42501", "only superusers");
        }

        stack.restart();

        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT max_cpu_percent, max_memory_percent, max_processes"
                    + " FROM extensa_catalog.resource_pool WHERE name = 'it_ddl'")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(40, 15, 3);
            }
            try (ResultSet rs = s.executeQuery("SELECT pool FROM extensa_catalog.resource_pool_role WHERE role = 'pool_member'")) {
                assertThat(column(rs)).containsExactly("it_ddl");
            }
            assertThat(launchpad().pool("it_ddl")).as("the restarted launchpad enforces the pools again").isPresent();
            s.execute("ALTER EXTERNAL RESOURCE POOL it_ddl DROP ROLE pool_member");
            s.execute("DROP EXTERNAL RESOURCE POOL it_ddl");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
            assertThat(launchpad().pool("it_ddl")).isEmpty();
        }
    }

    private static void assertError(Statement s, String sql, String sqlState, String message) {
        assertThatThrownBy(() -> s.execute(sql)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(sqlState);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void scriptsOfARoleRunInItsPoolAndMembersFollowTheirGroup() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS pool_group");
            s.execute("CREATE ROLE pool_group");
            s.execute("GRANT pool_group TO pool_member");
            s.execute("CREATE EXTERNAL RESOURCE POOL it_group WITH (MAX_PROCESSES = 2)");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_group ADD ROLE pool_group");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
        try (Connection member = as("pool_member"); Statement s = member.createStatement()) {
            s.execute(python("import time\ntime.sleep(0.1)"));
        }
        String member = "script user=pool_member .*pool=it_group";
        String other = "script user=pool_one_user .*pool=it_one|script user=extensa .*pool=default";
        assertThat(ExtensaStack.awaitLog(member, other)).containsPattern(member).containsPattern(other);
    }

    @Test
    void beyondMaxProcessesCallsWaitTheirTurnInsteadOfFailing() throws Exception {
        int sessions = 4;
        AtomicInteger most = new AtomicInteger();
        AtomicInteger mostQueued = new AtomicInteger();
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            int n = i;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try (Connection c = as("pool_one_user"); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(python("import time, pandas\ntime.sleep(0.4)\n"
                             + "OutputDataSet = pandas.DataFrame({'n': [" + n + "]})"))) {
                    rs.next();
                    return rs.getString(1);
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            }, task -> Thread.ofPlatform().start(task)));
        }
        while (!calls.stream().allMatch(CompletableFuture::isDone)) {
            LaunchpadStatus.PoolInfo pool = launchpad().pool("it_one").orElseThrow();
            most.accumulateAndGet(pool.active(), Math::max);
            mostQueued.accumulateAndGet(pool.queued(), Math::max);
            Thread.sleep(20);
        }
        List<String> results = new ArrayList<>();
        for (CompletableFuture<String> call : calls) {
            results.add(call.get(1, TimeUnit.MINUTES));
        }
        assertThat(results).containsExactlyInAnyOrder("0", "1", "2", "3");
        assertThat(most.get()).isEqualTo(1);
        assertThat(mostQueued.get()).isPositive();
    }

    @Test
    void aParallelCallRunsOnTheSlotsItsPoolHasInsteadOfWaitingForItself() throws Exception {
        try (Connection c = as("pool_one_user"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(python("OutputDataSet = InputDataSet")
                     + ", @input_data_1 = N'SELECT g FROM generate_series(1, 20000) g', @parallel = 1")) {
            // 20,000 rows are three shares: with a free slot they would run on two satellites
            assertThat(column(rs)).hasSize(20000);
            StringBuilder notices = new StringBuilder();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.append(w.getMessage()).append('\n');
            }
            assertThat(notices).doesNotContain("degree of parallelism 2");
        }
    }

    @Test
    void statementTimeoutWhileQueuedOrRunningEndsTheCallAndTheSessionStaysUsable() throws Exception {
        // a job of an earlier test still ending would count as the holder below and then free its slot
        awaitNoJobs("it_one");
        try (Connection holder = as("pool_one_user"); Statement h = holder.createStatement();
             Connection waiter = as("pool_one_user"); Statement w = waiter.createStatement()) {
            CompletableFuture<Void> holding = CompletableFuture.runAsync(() -> {
                try {
                    h.execute(python("import time\ntime.sleep(4)"));
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            }, task -> Thread.ofPlatform().start(task));
            while (launchpad().pool("it_one").orElseThrow().active() == 0) {
                Thread.sleep(20);
            }
            w.execute("SET statement_timeout = '700ms'");
            assertThatThrownBy(() -> w.execute(python("print('never')")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("canceling statement due to statement timeout");
                        assertThat(e.getServerErrorMessage().getDetail())
                                .contains("for a free slot in resource pool 'it_one' (MAX_PROCESSES = 1");
                    });
            holding.get(1, TimeUnit.MINUTES);
            long started = System.nanoTime();
            assertThatThrownBy(() -> w.execute(python("while True:\n    pass")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("canceling statement due to statement timeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            w.execute("RESET statement_timeout");
            try (ResultSet rs = w.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        awaitNoJobs("it_one");
    }

    @Test
    void cancelWhileQueuedWithdrawsTheRequest() throws Exception {
        // a job of an earlier test still ending would count as the holder below and then free its slot
        awaitNoJobs("it_one");
        try (Connection holder = as("pool_one_user"); Statement h = holder.createStatement();
             Connection waiter = as("pool_one_user"); Statement w = waiter.createStatement()) {
            CompletableFuture<Void> holding = CompletableFuture.runAsync(() -> {
                try {
                    h.execute(python("import time\ntime.sleep(3)"));
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            }, task -> Thread.ofPlatform().start(task));
            while (launchpad().pool("it_one").orElseThrow().active() == 0) {
                Thread.sleep(20);
            }
            CompletableFuture.runAsync(() -> {
                try {
                    while (launchpad().pool("it_one").orElseThrow().queued() == 0) {
                        Thread.sleep(20);
                    }
                    w.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, task -> Thread.ofPlatform().start(task));
            assertThatThrownBy(() -> w.execute(python("print('never')")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("canceling statement due to user request");
                    });
            // the launchpad notices a withdrawn request at its next poll (every 100 ms)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (launchpad().pool("it_one").orElseThrow().queued() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(launchpad().pool("it_one").orElseThrow().queued()).as("the request left the queue").isZero();
            holding.get(1, TimeUnit.MINUTES);
            try (ResultSet rs = w.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void overThePoolsMemoryLimitTheScriptIsKilledWithAClearError() throws Exception {
        Assumptions.assumeTrue(enforces("memory"), "memory limits are not enforced here: " + launchpad().enforcement());
        long limit = launchpad().pool("it_tiny").orElseThrow().memoryLimitBytes();
        try (Connection c = as("pool_tiny_user"); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(python("x = b'x' * " + (limit * 3))))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        ServerErrorMessage m = e.getServerErrorMessage();
                        assertThat(m.getSQLState()).isEqualTo("53200");
                        assertThat(m.getMessage()).contains("exceeded the memory limit of external resource pool"
                                + " \"it_tiny\" (" + (limit >> 20) + " MB)");
                        assertThat(m.getHint()).contains("MAX_MEMORY_PERCENT");
                    });
            try (ResultSet rs = s.executeQuery(python("OutputDataSet = InputDataSet") + ", @input_data_1 = N'SELECT 7'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the session and the pool keep working").isEqualTo(7);
            }
        }
        awaitNoJobs("it_tiny");
    }

    @Test
    void cpuCapIsInThePoolsCgroupAndUsageIsAccounted() throws Exception {
        Assumptions.assumeTrue(enforces("cpu"), "CPU limits are not enforced here: " + launchpad().enforcement());
        List<String> cgroups;
        try (Connection c = as("pool_cpu_user"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(python("""
                     import time, pandas
                     end = time.time() + 0.5
                     while time.time() < end:
                         pass
                     OutputDataSet = pandas.DataFrame({'line': open('/proc/self/cgroup').read().splitlines()})
                     """))) {
            cgroups = column(rs);
        }
        long cpus = Runtime.getRuntime().availableProcessors();
        long quota = 100_000 * cpus * 10 / 100;
        Path poolDir = cpuPoolDirectory(cgroups);
        if (Files.exists(poolDir.resolve("cpu.max"))) {
            assertThat(Files.readString(poolDir.resolve("cpu.max")).trim()).isEqualTo(quota + " 100000");
            assertThat(stat(poolDir.resolve("cpu.stat"), "usage_usec")).isGreaterThan(100_000);
        } else {
            assertThat(Files.readString(poolDir.resolve("cpu.cfs_quota_us")).trim()).isEqualTo(Long.toString(quota));
            assertThat(Files.readString(poolDir.resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
            assertThat(stat(poolDir.resolve("cpu.stat"), "nr_periods")).as("bandwidth accounting").isPositive();
        }
    }

    @Test
    void aWarmJobOfTheDefaultPoolRunsInItsOwnLeafCgroupWhichGoesWithIt() throws Exception {
        Assumptions.assumeTrue(enforces("pids"), "no pids cgroup here: " + launchpad().enforcement());
        List<String> cgroups;
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(python("import pandas\n"
                     + "OutputDataSet = pandas.DataFrame({'line': open('/proc/self/cgroup').read().splitlines()})"))) {
            cgroups = column(rs);
        }
        // a superuser is routed by the roles it was granted, not into every pool (it was, into it_cpu);
        // its job takes a spare's own leaf (spare_<pid>), renamed to the job's: pool_default/job_<id>
        String pidsLine = cgroups.stream().filter(l -> List.of(l.split(":", 3)[1].split(",")).contains("pids")
                || l.startsWith("0::")).findFirst().orElseThrow();
        String path = pidsLine.split(":", 3)[2];
        assertThat(path).containsPattern("/pool_default/job_[A-Za-z0-9-]+$").doesNotContain("spare_");
        Path leaf = Path.of(pidsLine.startsWith("0::") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids", path.substring(1));
        for (int i = 0; i < 600 && Files.exists(leaf); i++) {
            Thread.sleep(50);
        }
        assertThat(leaf).as("the job's leaf is removed with the job").doesNotExist();
        try (var leaves = Files.list(leaf.getParent())) {
            // the leaf of a spare that ended without a job stays empty until the launchpad's sweep (30 s)
            List<Path> waiting = leaves.filter(p -> p.getFileName().toString().startsWith("spare_"))
                    .filter(p -> {
                        try {
                            return !Files.readString(p.resolve("cgroup.procs")).isBlank();
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }).toList();
            assertThat(waiting).as("spares waiting for jobs, each in its own leaf, at most launchpad.warm_children"
                    + " (4) per language").hasSizeLessThanOrEqualTo(4 * 2);
        }
    }

    /** The pool's directory: the parent of the job's cgroup the script saw in /proc/self/cgroup. */
    private static Path cpuPoolDirectory(List<String> cgroupLines) {
        for (String line : cgroupLines) {
            String[] parts = line.split(":", 3);
            boolean v1Cpu = List.of(parts[1].split(",")).contains("cpu");
            if (v1Cpu || parts[0].equals("0") && parts[1].isEmpty() && parts[2].contains("/pool_it_cpu/")) {
                Path job = Path.of(v1Cpu ? "/sys/fs/cgroup/cpu" : "/sys/fs/cgroup", parts[2].substring(1));
                if (job.getParent().getFileName().toString().equals("pool_it_cpu")) {
                    return job.getParent();
                }
            }
        }
        throw new AssertionError("the script did not run in pool it_cpu's cgroup: " + cgroupLines);
    }

    private static long stat(Path file, String key) throws Exception {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        }
        throw new AssertionError(file + " has no " + key);
    }

    private static void awaitNoJobs(String pool) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (launchpad().pool(pool).orElseThrow().active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(launchpad().pool(pool).orElseThrow().active()).isZero();
    }
}
