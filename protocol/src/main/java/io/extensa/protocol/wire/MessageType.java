package io.extensa.protocol.wire;

/**
 * Message type codes, the sixth byte of every frame header. The satellite session uses
 * 0x01-0x3F, the launch-control channel between gateway and launchpad 0x40-0x5F,
 * the launchpad's fork-server channel 0x60-0x6F. See docs/protocol.md.
 */
public enum MessageType {
    // satellite session
    HELLO(0x01),
    WELCOME(0x02),
    SESSION_INIT(0x10),
    INPUT_BATCH(0x11),
    END_OF_INPUT(0x12),
    OUTPUT_SCHEMA(0x20),
    OUTPUT_BATCH(0x21),
    OUTPUT_END(0x22),
    STDOUT(0x23),
    STDERR(0x24),
    OUTPUT_PARAMS(0x25),
    QUERY(0x26),
    QUERY_RESULT(0x27),
    QUERY_BATCH(0x28),
    QUERY_END(0x29),
    QUERY_ERROR(0x2A),
    ERROR(0x30),
    CANCEL(0x31),
    HEARTBEAT(0x32),
    END(0x3F),
    // launch control (gateway <-> launchpad)
    LAUNCH(0x40),
    LAUNCHED(0x41),
    EXITED(0x42),
    CANCEL_JOB(0x43),
    STATUS_REQUEST(0x44),
    STATUS(0x45),
    POOLS(0x46),
    POOLS_APPLIED(0x47),
    ACTIVATE(0x48),
    ACTIVATED(0x49),
    // fork server (launchpad <-> per-language warm process)
    FORK(0x60),
    FORKED(0x61),
    CHILD_EXITED(0x62);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @return the type for a code, or null when the code is not assigned */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
