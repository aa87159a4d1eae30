package io.extensa.engine.library;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of a zip archive as its central directory lists them, with the Unix mode that
 * {@code java.util.zip} does not expose (needed to refuse symlinks). Only the classic format with
 * fewer than 65535 entries is read; zip64 archives are refused as unsupported.
 */
final class ZipListing {

    /** One central directory entry. */
    record Entry(String name, long uncompressedSize, int unixMode) {

        boolean isDirectory() {
            return name.endsWith("/");
        }

        boolean isSymlink() {
            return (unixMode & 0xF000) == 0xA000;
        }

        boolean isSpecial() {
            int type = unixMode & 0xF000;
            return type != 0 && type != 0x8000 && type != 0x4000 && type != 0xA000;
        }
    }

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int END_RECORD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final int MADE_BY_UNIX = 3;

    private ZipListing() {
    }

    /** The entries; throws {@link LibraryException} when the bytes are not a readable zip archive. */
    static List<Entry> read(byte[] zip) throws LibraryException {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int end = findEndRecord(b);
        if (end < 0) {
            throw LibraryException.corrupt("it is not a zip archive (no end of central directory record)");
        }
        int count = Short.toUnsignedInt(b.getShort(end + 10));
        long size = Integer.toUnsignedLong(b.getInt(end + 12));
        long offset = Integer.toUnsignedLong(b.getInt(end + 16));
        if (count == 0xFFFF || offset == 0xFFFFFFFFL) {
            throw LibraryException.corrupt("zip64 archives are not supported");
        }
        if (offset + size > end) {
            throw LibraryException.corrupt("the central directory lies outside the archive");
        }
        List<Entry> entries = new ArrayList<>(count);
        int p = (int) offset;
        for (int k = 0; k < count; k++) {
            if (p + 46 > end || b.getInt(p) != CENTRAL_SIGNATURE) {
                throw LibraryException.corrupt("central directory entry " + (k + 1) + " of " + count + " is damaged");
            }
            int madeBy = Short.toUnsignedInt(b.getShort(p + 4)) >>> 8;
            long uncompressed = Integer.toUnsignedLong(b.getInt(p + 24));
            int nameLength = Short.toUnsignedInt(b.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(b.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(b.getShort(p + 32));
            int external = b.getInt(p + 38);
            if (p + 46 + nameLength > end) {
                throw LibraryException.corrupt("central directory entry " + (k + 1) + " is truncated");
            }
            String name = new String(zip, p + 46, nameLength, StandardCharsets.UTF_8);
            int mode = madeBy == MADE_BY_UNIX ? external >>> 16 : 0;
            entries.add(new Entry(name, uncompressed, mode));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return entries;
    }

    private static int findEndRecord(ByteBuffer b) {
        int last = b.limit() - END_RECORD_SIZE;
        int first = Math.max(0, last - MAX_COMMENT);
        for (int p = last; p >= first; p--) {
            if (b.getInt(p) == END_SIGNATURE) {
                return p;
            }
        }
        return -1;
    }
}
