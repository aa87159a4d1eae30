package io.extensa.launchpad.process;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The last bytes a process wrote, kept in a fixed ring so a chatty process costs bounded memory.
 * Thread-safe.
 */
public final class OutputTail {

    private final byte[] ring;
    private long written;

    public OutputTail(int capacity) {
        this.ring = new byte[Math.max(1, capacity)];
    }

    public synchronized void append(byte[] bytes, int offset, int length) {
        int cap = ring.length;
        int keep = Math.min(length, cap);
        int from = offset + length - keep;
        int start = (int) ((written + length - keep) % cap);
        int first = Math.min(keep, cap - start);
        System.arraycopy(bytes, from, ring, start, first);
        System.arraycopy(bytes, from + first, ring, 0, keep - first);
        written += length;
    }

    /** Total bytes ever appended. */
    public synchronized long written() {
        return written;
    }

    /** The retained bytes, oldest first. */
    public synchronized byte[] bytes() {
        int cap = ring.length;
        if (written <= cap) {
            byte[] out = new byte[(int) written];
            System.arraycopy(ring, 0, out, 0, out.length);
            return out;
        }
        int oldest = (int) (written % cap);
        byte[] out = new byte[cap];
        System.arraycopy(ring, oldest, out, 0, cap - oldest);
        System.arraycopy(ring, 0, out, cap - oldest, oldest);
        return out;
    }

    /** The retained bytes as text; a character cut at the start is dropped, invalid bytes replaced. */
    public String text() {
        return decode(bytes(), written() > ring.length);
    }

    /** Decodes a tail of UTF-8 output; when {@code truncated}, skips a partial character at the start. */
    public static String decode(byte[] bytes, boolean truncated) {
        int start = 0;
        if (truncated) {
            while (start < bytes.length && start < 4 && (bytes[start] & 0xC0) == 0x80) {
                start++;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, start, bytes.length - start))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }
}
