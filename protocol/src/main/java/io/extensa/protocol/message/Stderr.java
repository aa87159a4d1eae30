package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * STDERR 0x24, satellite to engine, while the script runs: one line the script wrote to its
 * stderr, without the newline (very long lines arrive in several chunks).
 * <pre>
 *  1 text TEXT
 * </pre>
 */
public record Stderr(String text) implements Message {

    public Stderr {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public MessageType type() {
        return MessageType.STDERR;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(1, text);
    }

    public static Stderr decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "STDERR");
        String text = null;
        while (in.next()) {
            if (in.tag() == 1) {
                text = in.text();
            } else {
                in.unknown();
            }
        }
        in.require(1, "text");
        return new Stderr(text);
    }
}
