package io.extensa.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the numbers depend on: CPU, cores, memory, kernel, JDK, and how busy the machine was.
 * A benchmark on a shared 2-core machine means little without the load it ran under.
 */
public final class MachineFacts {

    private MachineFacts() {
    }

    /** Static facts, in report order. */
    public static Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        facts.put("CPU", cpuModel() + hypervisor());
        facts.put("cores", Runtime.getRuntime().availableProcessors() + " online");
        facts.put("memory", memoryTotal());
        facts.put("kernel", readFirstLine(Path.of("/proc/sys/kernel/osrelease")));
        facts.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return facts;
    }

    /** The 1, 5 and 15 minute load averages. */
    public static String loadAverage() {
        String[] f = readFirstLine(Path.of("/proc/loadavg")).split("\\s+");
        return f.length >= 3 ? f[0] + " / " + f[1] + " / " + f[2] + " (1 / 5 / 15 min)" : "unknown";
    }

    /** How busy all cores were over {@code window}, as a fraction of the machine (0..1). */
    public static double busyFraction(Duration window) {
        CpuTime before = ProcFs.machineBusy();
        long started = System.nanoTime();
        try {
            Thread.sleep(window.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CpuTime busy = ProcFs.machineBusy().minus(before);
        double seconds = (System.nanoTime() - started) / 1e9;
        return busy.totalTicks() / (double) ProcFs.ticksPerSecond() / seconds
                / Runtime.getRuntime().availableProcessors();
    }

    private static String cpuModel() {
        for (String line : readLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return System.getProperty("os.arch");
    }

    private static String hypervisor() {
        for (String line : readLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags") && line.contains(" hypervisor")) {
                return " (virtual machine)";
            }
        }
        return "";
    }

    private static String memoryTotal() {
        for (String line : readLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format(java.util.Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "unknown";
    }

    private static String readFirstLine(Path file) {
        List<String> lines = readLines(file);
        return lines.isEmpty() ? "unknown" : lines.get(0).strip();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
