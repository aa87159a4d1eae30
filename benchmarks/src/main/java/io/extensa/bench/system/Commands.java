package io.extensa.bench.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs external programs (pgbench, psql, python3, ...) to completion with a time limit. */
public final class Commands {

    private Commands() {
    }

    public static CommandOutput run(List<String> command, Map<String, String> environment, Duration timeout) {
        return run(command, environment, "", timeout);
    }

    /**
     * Runs {@code command} with {@code environment} added, feeding {@code stdin}. Output goes to
     * temporary files rather than pipes so a chatty program never blocks on a full pipe. A command
     * that outlives {@code timeout} is killed with its descendants and reported as an error.
     */
    public static CommandOutput run(List<String> command, Map<String, String> environment, String stdin,
            Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("xbench-out", ".txt");
            err = Files.createTempFile("xbench-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            Process process = builder.start();
            try (var input = process.getOutputStream()) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a program that reads no input may have closed its end already
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: "
                        + String.join(" ", command));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new CommandOutput(command, process.exitValue(), Files.readString(out), Files.readString(err),
                    elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Kills a process and everything it started, and waits for it. */
    public static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first of {@code candidates} that is an executable file, or a name found on PATH. */
    public static Optional<Path> findExecutable(String name, Path... candidates) {
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left in /tmp is harmless
            }
        }
    }
}
