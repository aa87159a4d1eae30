package io.extensa.engine.types;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A compiled tz database file (TZif, RFC 8536), as PostgreSQL itself reads them when built with
 * system tzdata: transitions with their local time types, and the POSIX TZ string of the
 * footer for instants after the last transition. Instants before the first transition use the
 * first type (local mean time, usually).
 */
final class TzifRules implements TzRules {

    private final long[] transitions;
    private final byte[] transitionTypes;
    private final int[] offsets;
    private final String[] abbreviations;
    private final PosixTzRules footer;

    private TzifRules(long[] transitions, byte[] transitionTypes, int[] offsets, String[] abbreviations,
                      PosixTzRules footer) {
        this.transitions = transitions;
        this.transitionTypes = transitionTypes;
        this.offsets = offsets;
        this.abbreviations = abbreviations;
        this.footer = footer;
    }

    /** The rules in a TZif file, or null when the file is missing or not TZif. */
    static TzifRules load(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            return parse(ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static TzifRules parse(ByteBuffer b) {
        if (b.remaining() < 44 || b.getInt(0) != 0x545A6966) { // "TZif"
            return null;
        }
        int version = b.get(4);
        int[] counts = counts(b, 0);
        if (version == 0) {
            return block(b, 44, counts, 4, null);
        }
        // skip the version 1 block: 4-byte times, 6-byte types, abbreviations, 8-byte leap records, indicators
        int v1 = 44 + counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0];
        int[] counts2 = counts(b, v1);
        int data = v1 + 44;
        int end = data + counts2[3] * 9 + counts2[4] * 6 + counts2[5] + counts2[2] * 12 + counts2[1] + counts2[0];
        PosixTzRules footer = null;
        if (end < b.limit() && b.get(end) == '\n') {
            int close = end + 1;
            while (close < b.limit() && b.get(close) != '\n') {
                close++;
            }
            byte[] text = new byte[close - end - 1];
            b.get(end + 1, text);
            String tz = new String(text, StandardCharsets.US_ASCII);
            footer = tz.isEmpty() ? null : PosixTzRules.parse(tz, false);
        }
        return block(b, data, counts2, 8, footer);
    }

    /** isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    private static int[] counts(ByteBuffer b, int header) {
        if (b.getInt(header) != 0x545A6966) {
            throw new IllegalArgumentException("not TZif");
        }
        int[] counts = new int[6];
        for (int k = 0; k < 6; k++) {
            counts[k] = b.getInt(header + 20 + 4 * k);
        }
        return counts;
    }

    private static TzifRules block(ByteBuffer b, int pos, int[] counts, int timeSize, PosixTzRules footer) {
        int timecnt = counts[3];
        int typecnt = counts[4];
        int charcnt = counts[5];
        long[] transitions = new long[timecnt];
        for (int k = 0; k < timecnt; k++) {
            transitions[k] = timeSize == 8 ? b.getLong(pos) : b.getInt(pos);
            pos += timeSize;
        }
        byte[] types = new byte[timecnt];
        b.get(pos, types);
        pos += timecnt;
        int[] offsets = new int[typecnt];
        int[] abbreviationIndexes = new int[typecnt];
        for (int k = 0; k < typecnt; k++) {
            offsets[k] = b.getInt(pos);
            abbreviationIndexes[k] = b.get(pos + 5) & 0xFF;
            pos += 6;
        }
        byte[] chars = new byte[charcnt];
        b.get(pos, chars);
        String[] abbreviations = new String[typecnt];
        for (int k = 0; k < typecnt; k++) {
            int start = abbreviationIndexes[k];
            int end = start;
            while (end < chars.length && chars[end] != 0) {
                end++;
            }
            abbreviations[k] = new String(chars, start, end - start, StandardCharsets.US_ASCII);
        }
        return new TzifRules(transitions, types, offsets, abbreviations, footer);
    }

    private int typeAt(long t) {
        if (transitions.length == 0 || t < transitions[0]) {
            return 0;
        }
        int lo = 0;
        int hi = transitions.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (transitions[mid] <= t) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return transitionTypes[lo] & 0xFF;
    }

    private boolean afterLast(long t) {
        return footer != null && (transitions.length == 0 || t >= transitions[transitions.length - 1]);
    }

    @Override
    public int offsetAt(long t) {
        return afterLast(t) ? footer.offsetAt(t) : offsets[typeAt(t)];
    }

    @Override
    public String abbreviationAt(long t) {
        return afterLast(t) ? footer.abbreviationAt(t) : abbreviations[typeAt(t)];
    }

    @Override
    public long nextTransition(long t) {
        if (afterLast(t)) {
            return footer.nextTransition(t);
        }
        int lo = 0;
        int hi = transitions.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (transitions[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < transitions.length) {
            return transitions[lo];
        }
        return footer == null ? Long.MAX_VALUE : footer.nextTransition(t);
    }
}
