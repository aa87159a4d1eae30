package io.extensa.protocol.wire;

import java.io.IOException;

/** The peer broke the wire format (bad magic, unknown version, oversized frame, malformed fields). */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
