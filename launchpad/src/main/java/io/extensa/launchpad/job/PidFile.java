package io.extensa.launchpad.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A small file outside the job directory that records a job's satellite (pid and start time),
 * so a launchpad restarted after a crash can find and kill leftovers without ever hitting a
 * process that merely reuses the pid. Format: one line {@code <pid> <start-time-ticks>}.
 */
record PidFile(long pid, long startTime) {

    void write(Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, pid + " " + startTime + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Empty when the file is missing or not in the expected format. */
    static Optional<PidFile> read(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+");
            if (parts.length != 2) {
                return Optional.empty();
            }
            return Optional.of(new PidFile(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
