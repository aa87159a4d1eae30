package io.extensa.launchpad;

import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.WarmLangRuntime;
import io.extensa.protocol.launch.LaunchedJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures (never asserts) launch latency, cold against warm, for the same test satellite:
 * time to LAUNCHED and time until the satellite's HELLO arrives on the job socket.
 * Run with {@code bin/mvn -pl launchpad -am test -Dtest=LaunchLatencyMeasurement -Dextensa.measure=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "extensa.measure", matches = "true")
class LaunchLatencyMeasurement {

    private static final int WARMUP = 10;
    private static final int RUNS = 50;

    @TempDir
    Path temp;

    /** {@code -Dextensa.measure.dir=/dev/shm} separates the launchpad's cost from a slow disk's. */
    @Test
    void coldVersusWarm() throws Exception {
        String base = System.getProperty("extensa.measure.dir");
        Path root = base == null ? temp : Files.createTempDirectory(Path.of(base), "lp-measure");
        System.out.println("jobs directory on " + root);
        // -Dextensa.measure.cgroup=off against auto: the cost of putting each job into its pool's cgroups
        try (TestLaunchpad lp = TestLaunchpad.start(root, Map.of("launchpad.cgroup",
                System.getProperty("extensa.measure.cgroup", "auto")))) {
            assertThat(lp.launchpad().awaitWarm(WarmLangRuntime.NAME, Duration.ofSeconds(20))).isTrue();
            report("warm", measure(lp, false));
            report("cold", measure(lp, true));
        } finally {
            if (base != null) {
                try (var paths = Files.walk(root)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    private static long[][] measure(TestLaunchpad lp, boolean cold) throws Exception {
        long[][] samples = new long[2][RUNS];
        for (int i = 0; i < WARMUP + RUNS; i++) {
            FakeEngine engine = lp.engine();
            // the same satellite either way: TestLang has no fork server, WarmLang has one
            var builder = TestLaunchpad.request(cold ? TestLangRuntime.NAME : WarmLangRuntime.NAME, engine, "hello,exit:0");
            long start = System.nanoTime();
            try (LaunchedJob job = lp.client().launch(builder.build())) {
                long launched = System.nanoTime();
                engine.awaitHello(Duration.ofSeconds(20));
                long hello = System.nanoTime();
                assertThat(job.warm()).isEqualTo(!cold);
                if (i >= WARMUP) {
                    samples[0][i - WARMUP] = launched - start;
                    samples[1][i - WARMUP] = hello - start;
                }
                job.awaitExit(Duration.ofSeconds(20));
            }
            engine.close();
        }
        return samples;
    }

    private static void report(String label, long[][] samples) {
        System.out.printf("%s: LAUNCHED %s | HELLO %s%n", label, stats(samples[0]), stats(samples[1]));
    }

    private static String stats(long[] nanos) {
        List<Long> sorted = new ArrayList<>();
        for (long n : nanos) {
            sorted.add(n);
        }
        Collections.sort(sorted);
        return String.format("p50 %.2f ms, p90 %.2f ms, max %.2f ms", ms(sorted.get(sorted.size() / 2)),
                ms(sorted.get(sorted.size() * 9 / 10)), ms(sorted.get(sorted.size() - 1)));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
