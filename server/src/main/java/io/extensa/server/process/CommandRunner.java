package io.extensa.server.process;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs short-lived external programs (initdb, pg_ctl, psql, useradd) to completion.
 *
 * <p>Output goes to a temporary file rather than a pipe: {@code pg_ctl start} leaves a postmaster
 * behind that could inherit a pipe and keep it open forever, so reading a pipe to its end would hang.
 */
public final class CommandRunner {

    private final Map<String, String> environment;
    private final List<String> removedPrefixes;
    private final Path workingDirectory;
    private final Duration timeout;

    private CommandRunner(Map<String, String> environment, List<String> removedPrefixes, Path workingDirectory,
            Duration timeout) {
        this.environment = environment;
        this.removedPrefixes = removedPrefixes;
        this.workingDirectory = workingDirectory;
        this.timeout = timeout;
    }

    /** Inherits this process's environment and working directory, with a 2-minute timeout. */
    public static CommandRunner inherited() {
        return new CommandRunner(Map.of(), List.of(), null, Duration.ofMinutes(2));
    }

    /** Sets environment variables for the commands (applied after {@link #withoutEnvironmentPrefix}). */
    public CommandRunner withEnvironment(Map<String, String> variables) {
        var merged = new HashMap<>(environment);
        merged.putAll(variables);
        return new CommandRunner(Map.copyOf(merged), removedPrefixes, workingDirectory, timeout);
    }

    /** Drops inherited variables whose names start with {@code prefix} (e.g. PG, so PGHOST cannot redirect psql). */
    public CommandRunner withoutEnvironmentPrefix(String prefix) {
        var prefixes = new ArrayList<>(removedPrefixes);
        prefixes.add(prefix);
        return new CommandRunner(environment, List.copyOf(prefixes), workingDirectory, timeout);
    }

    public CommandRunner inDirectory(Path directory) {
        return new CommandRunner(environment, removedPrefixes, Objects.requireNonNull(directory), timeout);
    }

    public CommandRunner withTimeout(Duration limit) {
        return new CommandRunner(environment, removedPrefixes, workingDirectory, limit);
    }

    public CommandResult run(List<String> command) {
        return run(command, null);
    }

    /** Runs the command, feeding {@code input} (if not null) to its standard input. */
    public CommandResult run(List<String> command, String input) {
        Path output = null;
        try {
            output = Files.createTempFile("extensa-cmd", ".out");
            var builder = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            applyEnvironment(builder.environment());
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process process = builder.start();
            if (input != null) {
                try (var stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                } catch (IOException closedEarly) {
                    // The program exited without reading all its input; its exit code tells why.
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
                throw new ExtensaException(command.get(0) + " did not finish within " + timeout.toSeconds()
                        + " s and was killed:\n" + Files.readString(output, StandardCharsets.UTF_8).strip());
            }
            return new CommandResult(List.copyOf(command), process.exitValue(),
                    Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ExtensaException("could not run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensaException("interrupted while running " + command.get(0), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover empty temp file is harmless
                }
            }
        }
    }

    /** Runs the command and fails with its output unless it exits 0. */
    public CommandResult runChecked(List<String> command, String input, String whatFailed) {
        CommandResult result = run(command, input);
        if (!result.succeeded()) {
            throw new ExtensaException(whatFailed + ": " + result.describe());
        }
        return result;
    }

    private void applyEnvironment(Map<String, String> target) {
        target.keySet().removeIf(name -> removedPrefixes.stream().anyMatch(name::startsWith));
        target.putAll(environment);
    }
}
