package io.extensa.engine.loopback;

import io.extensa.protocol.message.Message;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;

/** One frame of a loopback answer, ready to go to the satellite. */
public record Outgoing(MessageType type, PayloadBuilder payload) {

    static Outgoing of(Message message) {
        return new Outgoing(message.type(), message.encode());
    }
}
