package io.extensa.launchpad.pools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's memory, the whole that MAX_MEMORY_PERCENT is a share of. */
final class MachineMemory {

    private MachineMemory() {
    }

    /** MemTotal of /proc/meminfo in bytes. */
    static long totalBytes() {
        try {
            return parseMemTotal(Files.readString(Path.of("/proc/meminfo")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/meminfo: " + e.getMessage(), e);
        }
    }

    static long parseMemTotal(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IllegalStateException("/proc/meminfo has no MemTotal line");
    }
}
