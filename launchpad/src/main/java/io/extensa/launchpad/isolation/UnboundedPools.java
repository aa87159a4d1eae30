package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Every pool admits every job at once; only counts what runs where. */
public final class UnboundedPools implements ResourcePools {

    private static final int MAX_POOL_NAME = 128;

    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();

    @Override
    public Admission admit(String pool, String jobId) throws LaunchFailure {
        if (pool.isBlank() || pool.length() > MAX_POOL_NAME) {
            throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "invalid pool name '" + pool + "'");
        }
        AtomicInteger count = active.computeIfAbsent(pool, p -> new AtomicInteger());
        count.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                count.decrementAndGet();
            }
        };
    }

    /** Jobs currently admitted to {@code pool}. */
    public int active(String pool) {
        AtomicInteger count = active.get(pool);
        return count == null ? 0 : count.get();
    }

    @Override
    public String describe() {
        return "unbounded pools";
    }
}
