package io.extensa.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 16-byte header in front of every frame, little-endian:
 * <pre>
 *  offset size field
 *  0      4    magic     'E' 'X' 'T' 'S'  (0x53545845 read as u32 LE)
 *  4      1    version   1
 *  5      1    type      {@link MessageType} code
 *  6      2    flags     0 in version 1; receivers ignore unknown bits
 *  8      4    length    payload bytes that follow, a multiple of 8, at most the negotiated maximum
 *  12     4    sequence  0, 1, 2, ... per direction; a gap means a lost or injected frame
 * </pre>
 */
public record FrameHeader(int version, int typeCode, int flags, int length, int sequence) {

    public static final int SIZE = 16;
    public static final int MAGIC = 0x53545845;
    public static final int VERSION = 1;
    /** The largest payload either side accepts unless it states otherwise: 1 GiB + 1 MiB. */
    public static final long DEFAULT_MAX_PAYLOAD = (1L << 30) + (1L << 20);

    public static void write(ByteBuffer out, MessageType type, int length, int sequence) {
        ByteBuffer le = out.order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(MAGIC);
        le.put((byte) VERSION);
        le.put((byte) type.code());
        le.putShort((short) 0);
        le.putInt(length);
        le.putInt(sequence);
    }

    /** Parses and validates a header whose 16 bytes start at the buffer's position. */
    public static FrameHeader read(ByteBuffer in, long maxPayload) throws ProtocolException {
        ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = le.getInt();
        if (magic != MAGIC) {
            throw new ProtocolException(String.format("bad frame magic 0x%08x (expected 0x%08x)", magic, MAGIC));
        }
        int version = Byte.toUnsignedInt(le.get());
        if (version != VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + " (this side speaks " + VERSION + ")");
        }
        int type = Byte.toUnsignedInt(le.get());
        int flags = Short.toUnsignedInt(le.getShort());
        long length = Integer.toUnsignedLong(le.getInt());
        int sequence = le.getInt();
        if (length > maxPayload) {
            throw new ProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxPayload);
        }
        if ((length & 7) != 0) {
            throw new ProtocolException("frame length " + length + " is not a multiple of 8");
        }
        return new FrameHeader(version, type, flags, (int) length, sequence);
    }
}
