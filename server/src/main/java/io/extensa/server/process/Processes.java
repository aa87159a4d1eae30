package io.extensa.server.process;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Looks at and ends processes that are not necessarily our children, by pid, through /proc. */
public final class Processes {

    private Processes() {
    }

    public static boolean isAlive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(Processes::aliveNotZombie).orElse(false);
    }

    /** The process's arguments joined by spaces, or empty when it is gone (or a zombie). */
    public static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (raw.length == 0) {
                return Optional.empty();
            }
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every live process whose command line passes {@code filter}. */
    public static List<Long> find(Predicate<String> filter) {
        var found = new ArrayList<Long>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .forEach(pid -> commandLine(pid).filter(filter).ifPresent(line -> found.add(pid)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /**
     * Sends SIGTERM, waits up to {@code grace}, then SIGKILL. Returns true when the process ended
     * within the grace period, false when it had to be killed (or was gone already: true).
     */
    public static boolean terminate(long pid, Duration grace) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !isAlive(pid)) {
            return true;
        }
        if (!handle.get().destroy() && isAlive(pid)) {
            throw new ExtensaException("not permitted to stop process " + pid + " (it belongs to another user)");
        }
        if (awaitExit(pid, grace)) {
            return true;
        }
        handle.get().destroyForcibly();
        awaitExit(pid, Duration.ofSeconds(10));
        return false;
    }

    /**
     * Waits until the process is gone; true if it went within {@code limit}. Polls rather than
     * using {@link ProcessHandle#onExit()}, which keeps waiting on a zombie nobody reaps.
     */
    public static boolean awaitExit(long pid, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isAlive(pid);
            }
        }
        return true;
    }

    private static boolean aliveNotZombie(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            // pid (comm) state ...: comm may hold spaces and parentheses, so read after the last ')'.
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
