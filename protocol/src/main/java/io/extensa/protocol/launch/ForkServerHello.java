package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * HELLO (0x01) as the first frame a fork server writes to its stdout: it has preloaded its
 * libraries and is ready for FORK requests. Tags 1 and 2 belong to the satellite handshake and
 * are ignored here.
 * <pre>
 *  tag kind  field
 *  3   TEXT  runtime          e.g. "python"
 *  4   TEXT  runtime_version  e.g. "3.11.2"
 *  5   INT   pid              the fork server's process id
 *  7   BOOL  sandbox          optional: it applies FORK's sandbox spec (field 7) to its children;
 *                             a fork server without it gets no FORK while the launchpad sandboxes
 * </pre>
 */
public record ForkServerHello(String runtime, String runtimeVersion, long pid, boolean sandbox)
        implements ControlMessage {

    /** A HELLO of a fork server that does not sandbox its children. */
    public ForkServerHello(String runtime, String runtimeVersion, long pid) {
        this(runtime, runtimeVersion, pid, false);
    }

    private static final int RUNTIME_TAG = 3;
    private static final int RUNTIME_VERSION_TAG = 4;
    private static final int PID_TAG = 5;
    private static final int SANDBOX_TAG = 7;

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder payload = new PayloadBuilder()
                .text(RUNTIME_TAG, runtime)
                .text(RUNTIME_VERSION_TAG, runtimeVersion)
                .int64(PID_TAG, pid);
        return sandbox ? payload.bool(SANDBOX_TAG, true) : payload;
    }

    static ForkServerHello decode(FieldCursor fields) throws ProtocolException {
        String runtime = "";
        String version = "";
        Long pid = null;
        boolean sandbox = false;
        while (fields.next()) {
            switch (fields.tag()) {
                case RUNTIME_TAG -> runtime = fields.asText();
                case RUNTIME_VERSION_TAG -> version = fields.asText();
                case PID_TAG -> pid = fields.asInt();
                case SANDBOX_TAG -> sandbox = fields.asBool();
                default -> fields.skipUnknown();
            }
        }
        return new ForkServerHello(runtime, version, Fields.require(pid, "HELLO", "5 pid"), sandbox);
    }
}
