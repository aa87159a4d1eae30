package io.extensa.engine.monitor;

import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The resource pools in force, as the launchpad reports them (limits, satellites holding a slot,
 * requests queued), with CPU and peak memory from the monitor's samples of each pool's satellites.
 * Ids follow SQL Server: 2 for {@code default}, 256 and up for the others in name order.
 */
public final class LaunchpadPoolUsage implements ResourcePoolUsage {

    private static final int FIRST_USER_POOL_ID = 256;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LaunchpadPoolUsage.class);

    private final LaunchpadClient launchpad;
    private final ResourcePoolUsage fallback = new DefaultPoolUsage();

    public LaunchpadPoolUsage(LaunchpadClient launchpad) {
        this.launchpad = launchpad;
    }

    @Override
    public List<Pool> pools(Collection<RequestRegistry.Handle> live, ProcessSamples samples) {
        List<LaunchpadStatus.PoolInfo> inForce;
        try {
            inForce = launchpad.status().pools();
        } catch (Exception e) {
            // the view keeps its rows (the default pool) while the launchpad cannot answer
            log.debug("pool usage unavailable: {}", e.toString());
            return fallback.pools(live, samples);
        }
        if (inForce == null || inForce.isEmpty()) {
            return fallback.pools(live, samples);
        }
        List<LaunchpadStatus.PoolInfo> sorted = new ArrayList<>(inForce);
        sorted.sort(Comparator.comparing(LaunchpadStatus.PoolInfo::name));
        List<Pool> rows = new ArrayList<>();
        int next = FIRST_USER_POOL_ID;
        for (LaunchpadStatus.PoolInfo p : sorted) {
            boolean isDefault = p.name().equals(DefaultPoolUsage.DEFAULT);
            long[] cpu = samples.cpuMs(p.name());
            rows.add(new Pool(isDefault ? DefaultPoolUsage.DEFAULT_ID : next++, p.name(), p.maxCpuPercent(),
                    p.maxMemoryPercent(), p.maxProcesses(), p.active(), p.queued(), samples.peakMemoryKb(p.name()),
                    cpu[0], cpu[1]));
        }
        return rows;
    }
}
