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
 * </pre>
 */
public record ForkServerHello(String runtime, String runtimeVersion, long pid) implements ControlMessage {

    private static final int RUNTIME_TAG = 3;
    private static final int RUNTIME_VERSION_TAG = 4;
    private static final int PID_TAG = 5;

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder()
                .text(RUNTIME_TAG, runtime)
                .text(RUNTIME_VERSION_TAG, runtimeVersion)
                .int64(PID_TAG, pid);
    }

    static ForkServerHello decode(FieldCursor fields) throws ProtocolException {
        String runtime = "";
        String version = "";
        Long pid = null;
        while (fields.next()) {
            switch (fields.tag()) {
                case RUNTIME_TAG -> runtime = fields.asText();
                case RUNTIME_VERSION_TAG -> version = fields.asText();
                case PID_TAG -> pid = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        return new ForkServerHello(runtime, version, Fields.require(pid, "HELLO", "5 pid"));
    }
}
