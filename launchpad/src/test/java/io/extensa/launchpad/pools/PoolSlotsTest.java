package io.extensa.launchpad.pools;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.PoolDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolSlotsTest {

    private static final Duration LONG = Duration.ofSeconds(10);
    private static final PoolDefinition TWO = new PoolDefinition("two", 100, 20, 2);

    private final PoolSlots slots = new PoolSlots(List.of(PoolDefinition.defaultPool(), TWO), 2);

    private CompletableFuture<PoolDefinition> acquireAsync(String pool, Duration wait) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return slots.acquire(pool, wait, () -> false);
            } catch (LaunchFailure e) {
                throw new IllegalStateException(e.kind() + ": " + e.getMessage());
            }
        }, OWN_THREAD);
    }

    /** Not the common pool: on a 2-core machine it runs one task at a time, and waiters must wait together. */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> Thread.ofPlatform().daemon().start(task);

    @Test
    void unlimitedPoolNeverWaits() throws Exception {
        for (int i = 0; i < 100; i++) {
            slots.acquire("default", Duration.ZERO, () -> false);
        }
        assertThat(slots.usage().get(0).active()).isEqualTo(100);
    }

    @Test
    void requestsBeyondMaxProcessesWaitInOrder() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        CompletableFuture<PoolDefinition> third = acquireAsync("two", LONG);
        Thread.sleep(100);
        CompletableFuture<PoolDefinition> fourth = acquireAsync("two", LONG);
        Thread.sleep(100);
        assertThat(third).isNotDone();
        assertThat(slots.usage().get(1).queued()).isEqualTo(2);
        slots.release("two");
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo(TWO);
        assertThat(fourth).isNotDone();
        slots.release("two");
        assertThat(fourth.get(5, TimeUnit.SECONDS)).isEqualTo(TWO);
        assertThat(slots.usage().get(1).active()).isEqualTo(2);
    }

    @Test
    void waitingEndsWithAClearErrorWhenTheTimeIsUp() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        assertThatThrownBy(() -> slots.acquire("two", Duration.ofMillis(200), () -> false))
                .isInstanceOfSatisfying(LaunchFailure.class, e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.POOL_TIMEOUT))
                .hasMessage("waited 200 ms for a free slot in resource pool 'two' (MAX_PROCESSES = 2, 2 running, 0 others waiting)");
        assertThat(slots.usage().get(1).queued()).isZero();
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        acquireAsync("two", LONG);
        acquireAsync("two", LONG);
        Thread.sleep(200);
        assertThatThrownBy(() -> slots.acquire("two", LONG, () -> false))
                .isInstanceOfSatisfying(LaunchFailure.class, e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.POOL_QUEUE_FULL));
    }

    @Test
    void anAbandonedRequestLeavesTheQueue() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                slots.acquire("two", LONG, gone::get);
            } catch (LaunchFailure e) {
                throw new IllegalStateException(e.getMessage());
            }
        }, OWN_THREAD);
        Thread.sleep(150);
        gone.set(true);
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasMessageContaining("withdrew");
        assertThat(slots.usage().get(1).queued()).isZero();
    }

    @Test
    void raisingTheBoundLetsWaitersIn() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        CompletableFuture<PoolDefinition> third = acquireAsync("two", LONG);
        Thread.sleep(100);
        slots.replace(List.of(new PoolDefinition("two", 100, 20, 3)));
        assertThat(third.get(5, TimeUnit.SECONDS).maxProcesses()).isEqualTo(3);
    }

    @Test
    void droppingAPoolFailsItsWaitersAndLetsRunningJobsFinish() throws Exception {
        slots.acquire("two", LONG, () -> false);
        slots.acquire("two", LONG, () -> false);
        CompletableFuture<PoolDefinition> waiter = acquireAsync("two", LONG);
        Thread.sleep(100);
        slots.replace(List.of(PoolDefinition.defaultPool()));
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasMessageContaining("unknown_pool");
        assertThatThrownBy(() -> slots.acquire("two", LONG, () -> false))
                .isInstanceOfSatisfying(LaunchFailure.class, e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.UNKNOWN_POOL));
        slots.release("two");
        slots.release("two");
        assertThat(slots.usage()).extracting(u -> u.definition().name()).containsExactly("default");
    }
}
