package io.extensa.server.cli;

/** Exit codes of the extensa command (documented in docs/operations.md). */
public final class ExitCodes {

    /** Success; also {@code stop} when nothing was running (stopping is idempotent). */
    public static final int OK = 0;
    /** Something failed; the message says what. */
    public static final int FAILURE = 1;
    /** Bad command line (picocli's usage errors). */
    public static final int USAGE = 2;
    /** {@code status}: no server runs on the data directory (as pg_ctl status). */
    public static final int NOT_RUNNING = 3;
    /** Internal: the command handed the JVM to code that keeps running (extensa launchpad). */
    static final int KEEP_RUNNING = -1;

    private ExitCodes() {
    }
}
