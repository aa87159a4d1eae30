package io.extensa.bench.scripts;

import io.extensa.bench.system.MemoryWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Another variant, timed as usual, with the memory of the satellites (new processes under the
 * launchpad) and of the gateway's JVM sampled during every timed call.
 */
public final class MemoryWatchedVariant extends Variant {

    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(50);

    private final Variant inner;
    private final long launchpadPid;
    private final List<MemoryWatch.Peaks> peaks = new ArrayList<>();

    public MemoryWatchedVariant(Variant inner, long launchpadPid) {
        super(inner.label(), inner.side(), inner.path(), inner.how());
        this.inner = inner;
        this.launchpadPid = launchpadPid;
    }

    @Override
    public Optional<String> pending() {
        return inner.pending();
    }

    @Override
    public void warmUp() throws Exception {
        inner.warmUp();
    }

    @Override
    public double runOnceMillis() throws Exception {
        MemoryWatch watch = MemoryWatch.start(launchpadPid, SAMPLE_INTERVAL);
        try {
            double millis = inner.runOnceMillis();
            peaks.add(watch.stop());
            return millis;
        } finally {
            watch.close();
        }
    }

    /** One entry per timed call. */
    public List<MemoryWatch.Peaks> peaks() {
        return List.copyOf(peaks);
    }

    public Variant inner() {
        return inner;
    }

    @Override
    public void close() throws Exception {
        inner.close();
    }
}
