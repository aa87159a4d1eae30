package io.extensa.launchpad.process;

/**
 * How a satellite process ended.
 *
 * @param exitCode the exit status, -1 when a signal ended the process or the status is unknown
 * @param signal   the terminating signal, 0 when the process exited
 * @param known    false when nobody could observe the status (a fork server died before its child)
 */
public record ExitStatus(int exitCode, int signal, boolean known) {

    /** The JVM reports a child killed by signal n as 128 + n; Linux signals go up to 64. */
    private static final int SIGNAL_BASE = 128;
    private static final int MAX_SIGNAL = 64;

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, true);
    }

    public static ExitStatus signalled(int signal) {
        return new ExitStatus(-1, signal, true);
    }

    public static ExitStatus unknown() {
        return new ExitStatus(-1, 0, false);
    }

    /**
     * Interprets {@link Process#exitValue()}, which folds "killed by signal n" into 128 + n. A
     * process that calls exit(128 + n) itself is therefore reported as signalled, as a shell would.
     */
    public static ExitStatus fromJvmExitValue(int value) {
        if (value > SIGNAL_BASE && value <= SIGNAL_BASE + MAX_SIGNAL) {
            return signalled(value - SIGNAL_BASE);
        }
        return exited(value);
    }
}
