package io.extensa.bench.system;

import java.util.HashMap;
import java.util.Map;

/**
 * Peak resident memory of a changing set of processes, fed one sample at a time: the largest
 * single process (its own high-water mark counts, so a peak between two samples is not missed) and
 * the largest sum of what the processes of one sample held at that moment.
 */
public final class PeakTracker {

    private final Map<Long, Long> peakByPid = new HashMap<>();
    private long peakTotalKib;

    /** One sample: the processes alive at that moment and their readings. */
    public void sample(Map<Long, ProcessMemory.Reading> readings) {
        long total = 0;
        for (Map.Entry<Long, ProcessMemory.Reading> entry : readings.entrySet()) {
            ProcessMemory.Reading reading = entry.getValue();
            peakByPid.merge(entry.getKey(), reading.peakRssKib(), Math::max);
            total += reading.rssKib();
        }
        peakTotalKib = Math.max(peakTotalKib, total);
    }

    /** How many distinct processes were seen. */
    public int processes() {
        return peakByPid.size();
    }

    /** The highest peak of any one process, KiB. */
    public long largestKib() {
        return peakByPid.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** The highest sum over the processes of one sample, KiB (at least the largest single peak). */
    public long totalKib() {
        return Math.max(peakTotalKib, largestKib());
    }
}
