package io.extensa.it.pools;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The load test: 100 sessions each run 20 scripts against a pool with MAX_PROCESSES = 4.
 * All complete with correct results, at most 4 satellites of the pool run at any sampled moment,
 * nothing leaks, and PostgreSQL keeps answering other sessions throughout (their latency is
 * printed, not asserted). Sizes: -Dextensa.it.load.sessions, -Dextensa.it.load.scripts.
 */
class ResourcePoolLoadIT {

    private static final int SESSIONS = Integer.getInteger("extensa.it.load.sessions", 100);
    private static final int SCRIPTS = Integer.getInteger("extensa.it.load.scripts", 20);
    private static final int MAX_PROCESSES = 4;

    @AfterAll
    static void standbysBack() throws SQLException {
        ExtensaStack.get().standbySatellites(ExtensaStack.SUITE_STANDBY_SATELLITES);
    }

    @Test
    void aSaturatedPoolQueuesEveryCallAndTheDatabaseKeepsServing() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            int maxConnections;
            try (ResultSet rs = s.executeQuery("SHOW max_connections")) {
                rs.next();
                maxConnections = rs.getInt(1);
            }
            if (maxConnections < SESSIONS + 50) {
                s.execute("ALTER SYSTEM SET max_connections = " + (SESSIONS + 100));
            }
            if (maxConnections < SESSIONS + 50) {
                c.close();
                stack.restart();
            }
        }
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS pool_load_user");
            s.execute("CREATE ROLE pool_load_user LOGIN PASSWORD 'pw-load'");
            s.execute("GRANT CONNECT ON DATABASE extensa TO pool_load_user");
            s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO pool_load_user");
            s.execute("DELETE FROM extensa_catalog.resource_pool_role WHERE pool = 'it_load'");
            s.execute("DELETE FROM extensa_catalog.resource_pool WHERE name = 'it_load'");
            s.execute("CREATE EXTERNAL RESOURCE POOL it_load WITH (MAX_PROCESSES = " + MAX_PROCESSES + ")");
            s.execute("ALTER EXTERNAL RESOURCE POOL it_load ADD ROLE pool_load_user");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
        // the product's default: callers' next satellites start as standbys, which hold no slot
        stack.standbySatellites(ExtensaStack.DEFAULT_STANDBY_SATELLITES);
        LaunchpadClient launchpad = new LaunchpadClient(stack.server().launchpadSocket());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger mostSatellites = new AtomicInteger();
        AtomicInteger mostActive = new AtomicInteger();
        AtomicInteger mostQueued = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    LaunchpadStatus status = launchpad.status();
                    // a standby satellite waits idle for its caller's next call, without a slot, and an
                    // ending job's slot may already be another's while its directory is removed: not counted
                    int satellites = (int) status.jobs().stream()
                            .filter(j -> j.pool().equals("it_load") && j.holdsSlot()).count();
                    mostSatellites.accumulateAndGet(satellites, Math::max);
                    status.pool("it_load").ifPresent(p -> {
                        mostActive.accumulateAndGet(p.active(), Math::max);
                        mostQueued.accumulateAndGet(p.queued(), Math::max);
                    });
                    samples.incrementAndGet();
                    Thread.sleep(5);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
        });
        AtomicLong probes = new AtomicLong();
        AtomicLong slowestProbeMicros = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> probeErrors = new ConcurrentLinkedQueue<>();
        Thread prober = Thread.ofPlatform().start(() -> {
            try (Connection c = stack.connect(); Statement s = c.createStatement()) {
                while (running.get()) {
                    long started = System.nanoTime();
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_catalog.pg_class")) {
                        rs.next();
                    }
                    slowestProbeMicros.accumulateAndGet((System.nanoTime() - started) / 1000, Math::max);
                    probes.incrementAndGet();
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                probeErrors.add(e);
            }
        });

        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger correct = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(SESSIONS);
        long started = System.nanoTime();
        List<Thread> sessions = new ArrayList<>();
        for (int n = 0; n < SESSIONS; n++) {
            int session = n;
            sessions.add(Thread.ofPlatform().start(() -> {
                try (Connection c = stack.connectAs("pool_load_user", "pw-load"); Statement s = c.createStatement()) {
                    for (int k = 0; k < SCRIPTS; k++) {
                        long expected = (long) session * 1000 + k;
                        try (ResultSet rs = s.executeQuery("EXEC sp_execute_external_script @language = N'Python',"
                                + " @script = N'OutputDataSet = InputDataSet * 2', @input_data_1 = N'SELECT "
                                + expected + "::bigint AS v'")) {
                            if (rs.next() && rs.getLong(1) == expected * 2 && !rs.next()) {
                                correct.incrementAndGet();
                            } else {
                                errors.add(new AssertionError("wrong result for " + expected));
                            }
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            }));
        }
        boolean finished = done.await(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - started) / 1e9;
        running.set(false);
        sampler.join();
        prober.join();
        System.out.printf("load: %d sessions x %d scripts in %.1f s (%.0f calls/s); pool it_load: at most %d satellites,"
                        + " %d active, %d queued in %d samples; %d probe queries on another session, slowest %.1f ms%n",
                SESSIONS, SCRIPTS, seconds, SESSIONS * SCRIPTS / seconds, mostSatellites.get(), mostActive.get(),
                mostQueued.get(), samples.get(), probes.get(), slowestProbeMicros.get() / 1000.0);

        assertThat(finished).isTrue();
        assertThat(errors).isEmpty();
        assertThat(correct.get()).isEqualTo(SESSIONS * SCRIPTS);
        assertThat(mostSatellites.get()).isLessThanOrEqualTo(MAX_PROCESSES);
        assertThat(mostActive.get()).isLessThanOrEqualTo(MAX_PROCESSES).isPositive();
        assertThat(mostQueued.get()).as("the pool was saturated").isPositive();
        assertThat(probeErrors).isEmpty();
        assertThat(probes.get()).as("other sessions were served during the load").isPositive();

        // the standby satellites left for the callers' next calls go when standbys are turned off
        stack.standbySatellites(0);
        // a call returns before its satellite's tree is reaped; the launchpad frees the pool slot
        // first, then removes the job's directory, then forgets the job: wait for all three
        LaunchpadStatus after = launchpad.status();
        for (int i = 0; i < 300 && !(after.pool("it_load").orElseThrow().active() == 0
                && after.jobs().stream().noneMatch(j -> j.pool().equals("it_load"))
                && jobDirectories(stack).isEmpty()); i++) {
            Thread.sleep(100);
            after = launchpad.status();
        }
        assertThat(after.pool("it_load").orElseThrow().active()).isZero();
        assertThat(after.jobs()).filteredOn(j -> j.pool().equals("it_load")).isEmpty();
        assertThat(jobDirectories(stack)).as("job directories").isEmpty();
    }

    private static List<String> jobDirectories(ExtensaStack stack) throws Exception {
        try (Stream<Path> entries = Files.list(stack.dataDir().resolve("jobs"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
