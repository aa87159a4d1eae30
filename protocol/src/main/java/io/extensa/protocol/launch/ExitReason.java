package io.extensa.protocol.launch;

/** Why a satellite process ended, as carried in EXITED's {@code reason} field. */
public enum ExitReason {
    /** The satellite ended on its own with an exit code. */
    EXITED("exited"),
    /** A signal the launchpad did not send for cancel or timeout ended it (or the launchpad shut down). */
    KILLED("killed"),
    /** The engine sent CANCEL_JOB. */
    CANCELLED("cancelled"),
    /** The request's timeout_ms elapsed. */
    TIMEOUT("timeout"),
    /** The job's memory limit was exceeded (sent once resource pools enforce memory limits). */
    OOM("oom");

    private final String wireName;

    ExitReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** @return the reason for a wire name, or null when the name is unknown */
    public static ExitReason fromWireName(String name) {
        for (ExitReason reason : values()) {
            if (reason.wireName.equals(name)) {
                return reason;
            }
        }
        return null;
    }
}
