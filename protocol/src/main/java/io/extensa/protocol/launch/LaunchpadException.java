package io.extensa.protocol.launch;

import java.io.IOException;

/** A launch or status request failed; {@link #kind()} is one of {@link LaunchErrorKind}. */
public class LaunchpadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String kind;

    public LaunchpadException(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    public LaunchpadException(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "LaunchpadException[" + kind + "]: " + getMessage();
    }
}
