package io.extensa.it.support;

/** What an external client process did: exit code and its two output streams. */
public record ProcessResult(int exitCode, String stdout, String stderr) {

    public ProcessResult assertOk() {
        if (exitCode != 0) {
            throw new AssertionError("exit code " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
        }
        return this;
    }
}
