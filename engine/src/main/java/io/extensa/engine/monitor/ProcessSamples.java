package io.extensa.engine.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Memory and CPU of the satellites of live requests, read from /proc by the monitor thread (the
 * satellites are children of the launchpad on this machine). CPU of requests that ended is kept per
 * pool, so pool totals only grow. Only the monitor thread calls {@link #sample}.
 */
public final class ProcessSamples {

    /** One satellite's resident memory and CPU time so far. */
    public record Sample(long rssKb, long userMs, long kernelMs) {
    }

    private static final long TICK_MS = 10;

    private final Map<String, Sample> last = new HashMap<>();
    private final Map<String, String> poolOf = new HashMap<>();
    private final Map<String, long[]> endedCpu = new HashMap<>();
    private final Map<String, Long> peakKb = new HashMap<>();

    synchronized void sample(Collection<RequestRegistry.Handle> live) {
        Set<String> seen = new HashSet<>();
        for (RequestRegistry.Handle h : live) {
            String id = h.info().requestId();
            seen.add(id);
            poolOf.put(id, h.info().pool());
            if (h.satellitePid() <= 0) {
                continue;
            }
            Sample s = read(h.satellitePid());
            if (s != null) {
                last.put(id, s);
                peakKb.merge(h.info().pool(), s.rssKb(), Math::max);
            }
        }
        for (String id : Set.copyOf(poolOf.keySet())) {
            if (!seen.contains(id)) {
                Sample s = last.remove(id);
                String pool = poolOf.remove(id);
                if (s != null) {
                    long[] cpu = endedCpu.computeIfAbsent(pool, p -> new long[2]);
                    cpu[0] += s.userMs();
                    cpu[1] += s.kernelMs();
                }
            }
        }
    }

    public synchronized Sample of(String requestId) {
        return last.get(requestId);
    }

    public synchronized long peakMemoryKb(String pool) {
        return peakKb.getOrDefault(pool, 0L);
    }

    /** {user ms, kernel ms} of the pool's satellites: ended ones plus the live ones so far. */
    public synchronized long[] cpuMs(String pool) {
        long[] total = endedCpu.getOrDefault(pool, new long[2]).clone();
        last.forEach((id, s) -> {
            if (pool.equals(poolOf.get(id))) {
                total[0] += s.userMs();
                total[1] += s.kernelMs();
            }
        });
        return total;
    }

    private static Sample read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
            return new Sample(rss, utime * TICK_MS, stime * TICK_MS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
