package io.extensa.launchpad.pools;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.PoolDefinition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * MAX_PROCESSES: how many satellites each pool runs at once, and the first-come-first-served
 * queue of requests waiting for a slot. A waiting request leaves the queue when it gets a slot,
 * when its wait time is up ({@code pool_timeout}), when the engine gives up on it, or when its
 * pool is dropped ({@code unknown_pool}). A full queue refuses at once ({@code pool_queue_full}).
 */
public final class PoolSlots {

    /** How often a waiter checks whether the engine gave up on it. */
    private static final long ABANDON_POLL_MS = 100;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final int queueMax;

    private static final class Pool {
        PoolDefinition definition;
        boolean dropped;
        int active;
        final ArrayDeque<Object> queue = new ArrayDeque<>();

        Pool(PoolDefinition definition) {
            this.definition = definition;
        }

        boolean hasRoom() {
            return definition.maxProcesses() == 0 || active < definition.maxProcesses();
        }
    }

    /** A pool with its counts, for STATUS. */
    public record Usage(PoolDefinition definition, int active, int queued) {
    }

    public PoolSlots(List<PoolDefinition> initial, int queueMax) {
        this.queueMax = queueMax;
        replace(initial);
    }

    /**
     * Puts {@code definitions} in force: new pools appear, changed ones take their new bound at
     * once (waiters move up when it grew), pools no longer listed are dropped: their waiters fail,
     * their running jobs finish.
     */
    public void replace(List<PoolDefinition> definitions) {
        lock.lock();
        try {
            Map<String, PoolDefinition> wanted = new LinkedHashMap<>();
            definitions.forEach(d -> wanted.put(d.name(), d));
            for (Pool pool : pools.values()) {
                PoolDefinition next = wanted.get(pool.definition.name());
                if (next == null) {
                    pool.dropped = true;
                } else {
                    pool.definition = next;
                    pool.dropped = false;
                }
            }
            for (PoolDefinition definition : definitions) {
                pools.computeIfAbsent(definition.name(), name -> new Pool(definition));
            }
            pools.values().removeIf(p -> p.dropped && p.active == 0 && p.queue.isEmpty());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The pool's definition, for a standby job that takes its slot later; fails when the pool is not in force. */
    public PoolDefinition definition(String poolName) throws LaunchFailure {
        lock.lock();
        try {
            Pool pool = pools.get(poolName);
            if (pool == null || pool.dropped) {
                throw unknown(poolName);
            }
            return pool.definition;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a slot in {@code poolName}, waiting in its queue up to {@code timeout}. */
    public PoolDefinition acquire(String poolName, Duration timeout, BooleanSupplier abandoned) throws LaunchFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            Pool pool = pools.get(poolName);
            if (pool == null || pool.dropped) {
                throw unknown(poolName);
            }
            if (pool.queue.isEmpty() && pool.hasRoom()) {
                pool.active++;
                return pool.definition;
            }
            if (pool.queue.size() >= queueMax) {
                throw new LaunchFailure(LaunchErrorKind.POOL_QUEUE_FULL, "resource pool '" + poolName + "' runs "
                        + pool.active + " satellites (MAX_PROCESSES = " + pool.definition.maxProcesses() + ") and "
                        + pool.queue.size() + " requests wait for a slot, the most allowed (launchpad.queue_max)");
            }
            Object ticket = new Object();
            pool.queue.addLast(ticket);
            try {
                while (true) {
                    if (pool.dropped) {
                        throw unknown(poolName);
                    }
                    if (pool.queue.peekFirst() == ticket && pool.hasRoom()) {
                        pool.active++;
                        return pool.definition;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new LaunchFailure(LaunchErrorKind.POOL_TIMEOUT, "waited " + timeout.toMillis()
                                + " ms for a free slot in resource pool '" + poolName + "' (MAX_PROCESSES = "
                                + pool.definition.maxProcesses() + ", " + pool.active + " running, "
                                + (pool.queue.size() - 1) + " others waiting)");
                    }
                    if (abandoned.getAsBoolean()) {
                        throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "the engine withdrew the request while it"
                                + " waited for a slot in resource pool '" + poolName + "'");
                    }
                    changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(ABANDON_POLL_MS)), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchFailure(LaunchErrorKind.BUSY, "the launchpad is stopping");
            } finally {
                pool.queue.remove(ticket);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back. */
    public void release(String poolName) {
        lock.lock();
        try {
            Pool pool = pools.get(poolName);
            if (pool == null) {
                return;
            }
            pool.active--;
            if (pool.dropped && pool.active == 0 && pool.queue.isEmpty()) {
                pools.remove(poolName);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public List<Usage> usage() {
        lock.lock();
        try {
            List<Usage> usage = new ArrayList<>();
            for (Pool pool : pools.values()) {
                if (!pool.dropped) {
                    usage.add(new Usage(pool.definition, pool.active, pool.queue.size()));
                }
            }
            return usage;
        } finally {
            lock.unlock();
        }
    }

    private static LaunchFailure unknown(String poolName) {
        return new LaunchFailure(LaunchErrorKind.UNKNOWN_POOL, "no resource pool '" + poolName
                + "' is in force (CREATE EXTERNAL RESOURCE POOL, then ALTER RESOURCE GOVERNOR RECONFIGURE)");
    }
}
