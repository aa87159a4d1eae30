package io.extensa.launchpad.job;

/**
 * A launch that cannot go ahead; becomes an ERROR frame with {@link #kind()} (one of
 * {@link io.extensa.protocol.launch.LaunchErrorKind}) and the message.
 */
public final class LaunchFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final String kind;

    public LaunchFailure(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    public LaunchFailure(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
