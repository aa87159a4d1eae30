package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * ERROR (0x30) on the launch-control channel (launchpad to engine, after which the launchpad
 * closes the connection) and on the fork-server channel (fork server to launchpad, answering the
 * oldest outstanding FORK).
 * <pre>
 *  tag kind  field
 *  1   TEXT  kind     one of {@link LaunchErrorKind}
 *  3   TEXT  message  for humans: what failed and what to do about it
 * </pre>
 * Tag 2 is left unused so the layout matches the satellite channel's ERROR.
 */
public record LaunchError(String kind, String message) implements ControlMessage {

    private static final int KIND_TAG = 1;
    private static final int MESSAGE_TAG = 3;

    public LaunchError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(KIND_TAG, kind).text(MESSAGE_TAG, message);
    }

    static LaunchError decode(FieldCursor fields) throws ProtocolException {
        String kind = null;
        String message = "";
        while (fields.next()) {
            switch (fields.tag()) {
                case KIND_TAG -> kind = fields.asText();
                case MESSAGE_TAG -> message = fields.asText();
                default -> fields.skipUnknown();
            }
        }
        return new LaunchError(Fields.require(kind, "ERROR", "1 kind"), message);
    }

    public LaunchpadException toException() {
        return new LaunchpadException(kind, message);
    }
}
