package io.extensa.launchpad.isolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The jobs directory on a size-limited tmpfs of its own (root only): what all jobs together may
 * write to their directories is bounded, so a script cannot fill the host's disk, and creating
 * and removing job directories costs no disk metadata work on the launch path. Mounted at start
 * (or reused when a crashed launchpad left it mounted), unmounted at close.
 */
public final class JobsTmpfs {

    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private JobsTmpfs() {
    }

    /** Whether {@code dir} is a tmpfs mount point now. */
    public static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // id parent major:minor root mount-point options ... - fstype source super-options
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length > 4 && dash > 0 && dash + 1 < fields.length
                    && unescape(fields[4]).equals(target) && fields[dash + 1].equals("tmpfs")) {
                return true;
            }
        }
        return false;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir} unless one is there already. */
    public static void mount(Path dir, long bytes) throws IOException {
        if (isMounted(dir)) {
            return;
        }
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755,nosuid,nodev", "extensa-jobs",
                dir.toAbsolutePath().normalize().toString()));
    }

    /** Detaches the tmpfs from {@code dir} (lazily: a process still inside keeps it until it leaves). */
    public static void unmount(Path dir) throws IOException {
        run(List.of("umount", "--lazy", dir.toAbsolutePath().normalize().toString()));
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
