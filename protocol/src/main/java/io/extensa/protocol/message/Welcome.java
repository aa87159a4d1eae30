package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * WELCOME 0x02, the engine's answer to a satellite's HELLO.
 * <pre>
 *  1 max_frame INT      largest payload the engine accepts
 *  2 loopback BOOL      the engine answers QUERY (written only when true; older satellites skip it)
 *  3 loopback_dsn TEXT  libpq connection string of the job's loopback socket (optional); the satellite
 *                       hands it to the script as EXTENSA_LOOPBACK_DSN
 * </pre>
 */
public record Welcome(long maxFrame, boolean loopback, String loopbackDsn) implements Message {

    public Welcome(long maxFrame) {
        this(maxFrame, false, null);
    }

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder().int64(1, maxFrame);
        if (loopback) {
            out.bool(2, true);
        }
        if (loopbackDsn != null) {
            out.text(3, loopbackDsn);
        }
        return out;
    }

    /** Never prints the connection string: it holds the job's token. */
    @Override
    public String toString() {
        return "Welcome[maxFrame=" + maxFrame + ", loopback=" + loopback + ", loopbackDsn="
                + (loopbackDsn == null ? "none" : "(set)") + "]";
    }

    public static Welcome decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "WELCOME");
        long maxFrame = 0;
        boolean loopback = false;
        String dsn = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> maxFrame = in.int64();
                case 2 -> loopback = in.bool();
                case 3 -> dsn = in.text();
                default -> in.unknown();
            }
        }
        in.require(1, "max_frame");
        if (maxFrame <= 0) {
            throw in.invalid("max_frame " + maxFrame + " is not positive");
        }
        return new Welcome(maxFrame, loopback, dsn);
    }
}
