package io.extensa.pgwire.relay;

import java.nio.ByteBuffer;

/** One complete message from the client, copied out of the read buffer for the slow path. */
record FrontendMessage(char type, byte[] body) {

    ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body);
    }

    /** The message as it travels: type, int32 length, body. */
    ByteBuffer wire() {
        ByteBuffer b = ByteBuffer.allocate(5 + body.length);
        b.put((byte) type).putInt(4 + body.length).put(body);
        return b.flip();
    }

    int size() {
        return 5 + body.length;
    }
}
