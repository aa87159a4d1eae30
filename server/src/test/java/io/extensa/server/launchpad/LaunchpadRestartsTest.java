package io.extensa.server.launchpad;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LaunchpadRestartsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void delaysDoubleUpToTheLimitOfRestartsInTheWindow() {
        var restarts = new LaunchpadRestarts();
        assertThat(restarts.next(0)).contains(Duration.ofMillis(500));
        assertThat(restarts.next(SECOND)).contains(Duration.ofSeconds(1));
        assertThat(restarts.next(2 * SECOND)).contains(Duration.ofSeconds(2));
        assertThat(restarts.next(3 * SECOND)).contains(Duration.ofSeconds(4));
        assertThat(restarts.next(4 * SECOND)).contains(Duration.ofSeconds(8));
        assertThat(restarts.recent(4 * SECOND)).isEqualTo(LaunchpadRestarts.MAX_RESTARTS);
        assertThat(restarts.next(5 * SECOND)).isEmpty();
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        var restarts = new LaunchpadRestarts();
        for (int i = 0; i < LaunchpadRestarts.MAX_RESTARTS; i++) {
            assertThat(restarts.next(i * SECOND)).isPresent();
        }
        long later = LaunchpadRestarts.WINDOW.toNanos() + 10 * SECOND;
        assertThat(restarts.next(later)).contains(Duration.ofMillis(500));
    }
}
