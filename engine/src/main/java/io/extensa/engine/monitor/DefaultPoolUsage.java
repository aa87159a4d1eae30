package io.extensa.engine.monitor;

import java.util.Collection;
import java.util.List;

/** The one pool there is until resource pools exist: "default", no limits, every request in it. */
public final class DefaultPoolUsage implements ResourcePoolUsage {

    public static final String DEFAULT = "default";
    /** SQL Server's id of the default external pool. */
    public static final int DEFAULT_ID = 2;

    @Override
    public List<Pool> pools(Collection<RequestRegistry.Handle> live, ProcessSamples samples) {
        int running = (int) live.stream().filter(h -> h.state() == RequestState.RUNNING).count();
        int queued = live.size() - running;
        long[] cpu = samples.cpuMs(DEFAULT);
        return List.of(new Pool(DEFAULT_ID, DEFAULT, 100, 100, 0, running, queued, samples.peakMemoryKb(DEFAULT),
                cpu[0], cpu[1]));
    }
}
