package io.extensa.bench.system;

import java.time.Duration;
import java.util.List;

/** What an external command did: exit code, both output streams, and how long it ran. */
public record CommandOutput(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this when the command succeeded, otherwise fails with its output. */
    public CommandOutput checked() {
        if (!succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + exitCode
                    + "\n" + stderr.strip() + (stdout.isBlank() ? "" : "\n" + stdout.strip()));
        }
        return this;
    }
}
