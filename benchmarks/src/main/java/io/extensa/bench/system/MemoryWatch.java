package io.extensa.bench.system;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Samples memory during one measured call: the processes that appear under {@code rootPid}
 * (the launchpad) after the watch starts — the call's satellites, forked directly or by a fork
 * server that was already there — and this JVM (which runs the gateway): its resident set and
 * its heap in use.
 */
public final class MemoryWatch implements AutoCloseable {

    /**
     * What one call used.
     *
     * @param processes      satellites seen
     * @param largestKib     peak RSS of the largest satellite
     * @param totalKib       peak RSS of all satellites together
     * @param jvmRssStartKib this JVM's RSS when the call started
     * @param jvmRssPeakKib  this JVM's highest sampled RSS
     * @param heapStartBytes heap in use when the call started
     * @param heapPeakBytes  highest sampled heap in use (garbage included: it is what the GC lets pile up)
     */
    public record Peaks(int processes, long largestKib, long totalKib, long jvmRssStartKib, long jvmRssPeakKib,
            long heapStartBytes, long heapPeakBytes) {
    }

    private final long rootPid;
    private final Duration interval;
    private final Set<Long> before;
    private final PeakTracker satellites = new PeakTracker();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long jvmPid = ProcessHandle.current().pid();
    private final long jvmRssStart;
    private final long heapStart;
    private long jvmRssPeak;
    private long heapPeak;
    private final Thread sampler;
    private volatile boolean stopping;

    private MemoryWatch(long rootPid, Duration interval) {
        this.rootPid = rootPid;
        this.interval = interval;
        this.before = descendants();
        this.jvmRssStart = ProcessMemory.read(jvmPid).map(ProcessMemory.Reading::rssKib).orElse(0L);
        this.heapStart = memory.getHeapMemoryUsage().getUsed();
        this.jvmRssPeak = jvmRssStart;
        this.heapPeak = heapStart;
        this.sampler = Thread.ofPlatform().daemon().name("bench-memory-watch").unstarted(this::loop);
    }

    /** Starts sampling every {@code interval}. */
    public static MemoryWatch start(long rootPid, Duration interval) {
        MemoryWatch watch = new MemoryWatch(rootPid, interval);
        watch.sampler.start();
        return watch;
    }

    private Set<Long> descendants() {
        return ProcessHandle.of(rootPid).map(root -> root.descendants().map(ProcessHandle::pid)
                .collect(Collectors.toSet())).orElse(Set.of());
    }

    private void loop() {
        while (!stopping) {
            sampleOnce();
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sampleOnce() {
        Map<Long, ProcessMemory.Reading> readings = new HashMap<>();
        for (long pid : descendants()) {
            if (!before.contains(pid)) {
                ProcessMemory.read(pid).ifPresent(reading -> readings.put(pid, reading));
            }
        }
        satellites.sample(readings);
        Optional<ProcessMemory.Reading> jvm = ProcessMemory.read(jvmPid);
        jvm.ifPresent(reading -> jvmRssPeak = Math.max(jvmRssPeak, reading.rssKib()));
        heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
    }

    /** Stops sampling (after a last sample) and returns the peaks. */
    public synchronized Peaks stop() {
        close();
        sampleOnce();
        return new Peaks(satellites.processes(), satellites.largestKib(), satellites.totalKib(), jvmRssStart,
                jvmRssPeak, heapStart, heapPeak);
    }

    @Override
    public void close() {
        stopping = true;
        sampler.interrupt();
    }
}
