package io.extensa.engine.monitor;

import java.util.Collection;
import java.util.List;

/**
 * Where sys.dm_resource_governor_external_resource_pools gets its rows. Until resource pools exist
 * there is only the default pool, unlimited ({@link DefaultPoolUsage}); the resource pool feature
 * provides its own implementation with the configured limits and the launchpad's live usage.
 */
public interface ResourcePoolUsage {

    /** One pool's limits and usage now. Limits of 0 mean none. */
    record Pool(int id, String name, int maxCpuPercent, int maxMemoryPercent, int maxProcesses,
                int activeProcesses, int queued, long peakMemoryKb, long cpuUserMs, long cpuKernelMs) {
    }

    /**
     * @param live    the requests running in this gateway now
     * @param samples what the monitor last measured of their satellites
     */
    List<Pool> pools(Collection<RequestRegistry.Handle> live, ProcessSamples samples);
}
