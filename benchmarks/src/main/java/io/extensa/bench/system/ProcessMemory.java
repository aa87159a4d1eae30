package io.extensa.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** Resident memory of a process from /proc/PID/status, in KiB. */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** VmRSS and VmHWM (peak resident set over the process's life) of a live process. */
    public record Reading(long rssKib, long peakRssKib) {
    }

    /** The current reading, empty when the process is gone (or a kernel thread with no memory). */
    public static java.util.Optional<Reading> read(long pid) {
        try {
            return parse(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    static java.util.Optional<Reading> parse(List<String> status) {
        OptionalLong rss = field(status, "VmRSS:");
        if (rss.isEmpty()) {
            return java.util.Optional.empty();
        }
        OptionalLong peak = field(status, "VmHWM:");
        return java.util.Optional.of(new Reading(rss.getAsLong(), Math.max(rss.getAsLong(), peak.orElse(0))));
    }

    /** A "Key:   1234 kB" line of /proc/PID/status, in KiB. */
    static OptionalLong field(List<String> status, String key) {
        for (String line : status) {
            if (line.startsWith(key)) {
                String value = line.substring(key.length()).strip();
                int space = value.indexOf(' ');
                return OptionalLong.of(Long.parseLong(space < 0 ? value : value.substring(0, space)));
            }
        }
        return OptionalLong.empty();
    }
}
