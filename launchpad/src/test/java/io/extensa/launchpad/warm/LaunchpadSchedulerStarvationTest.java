package io.extensa.launchpad.warm;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.WarmLangRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the fork server's pipe readers ran on virtual threads. Blocking pipe reads pin their
 * carriers, and with two carriers (a 2-core machine) every later control connection waited forever:
 * the engine saw "the launchpad did not answer LAUNCH". This module's tests run with a single
 * carrier, so any pinning reader starves the connections below.
 */
class LaunchpadSchedulerStarvationTest {

    @TempDir
    Path root;

    @Test
    void controlConnectionsAreServedWhileTheForkServerIsUp() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root, Map.of())) {
            assertThat(lp.launchpad().awaitWarm(WarmLangRuntime.NAME, Duration.ofSeconds(20))).isTrue();
            var pool = Executors.newFixedThreadPool(8);
            try {
                CompletableFuture<?>[] requests = new CompletableFuture<?>[16];
                for (int i = 0; i < requests.length; i++) {
                    requests[i] = CompletableFuture.runAsync(() -> {
                        try {
                            assertThat(lp.client().status().languages()).isNotEmpty();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }, pool);
                }
                CompletableFuture.allOf(requests).get(20, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
