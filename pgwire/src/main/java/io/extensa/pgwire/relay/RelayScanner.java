package io.extensa.pgwire.relay;

import java.nio.ByteBuffer;

/**
 * Finds message boundaries in the backend byte stream as it passes through, chunk by chunk,
 * without buffering messages. It captures the bodies of the few messages the gateway must read
 * (ReadyForQuery for the transaction status, ParameterStatus for session settings).
 */
final class RelayScanner {

    /** Receives each message that ended within the scanned chunk. */
    interface Listener {
        void message(int type, byte[] capturedBody);
    }

    private static final int CAPTURE_LIMIT = 8192;

    private final byte[] header = new byte[5];
    private int headerFill;
    private int type;
    private long bodyRemaining;
    private byte[] capture;
    private int captureFill;

    void scan(ByteBuffer chunk, Listener listener) {
        int pos = chunk.position();
        int limit = chunk.limit();
        while (pos < limit) {
            if (headerFill < 5) {
                header[headerFill++] = chunk.get(pos++);
                if (headerFill == 5) {
                    type = header[0] & 0xFF;
                    long length = ((header[1] & 0xFFL) << 24) | ((header[2] & 0xFFL) << 16)
                            | ((header[3] & 0xFFL) << 8) | (header[4] & 0xFFL);
                    bodyRemaining = Math.max(0, length - 4);
                    boolean wanted = (type == 'Z' || type == 'S') && bodyRemaining <= CAPTURE_LIMIT;
                    capture = wanted ? new byte[(int) bodyRemaining] : null;
                    captureFill = 0;
                    if (bodyRemaining == 0) {
                        finish(listener);
                    }
                }
                continue;
            }
            int k = (int) Math.min(bodyRemaining, limit - pos);
            if (capture != null) {
                chunk.get(pos, capture, captureFill, k);
                captureFill += k;
            }
            pos += k;
            bodyRemaining -= k;
            if (bodyRemaining == 0) {
                finish(listener);
            }
        }
    }

    boolean midMessage() {
        return headerFill > 0;
    }

    private void finish(Listener listener) {
        listener.message(type, capture);
        headerFill = 0;
        capture = null;
    }
}
