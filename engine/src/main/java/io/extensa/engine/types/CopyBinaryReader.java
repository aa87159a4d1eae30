package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.CopyDataHandler;
import io.extensa.protocol.batch.BatchBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the CopyData payloads of {@code COPY (query) TO STDOUT (FORMAT binary)} into batches.
 * <pre>
 *  header   11 bytes "PGCOPY\n\377\r\n\0", int32 flags, int32 extension length, extension
 *  tuple    int16 field count, per field int32 length (-1 = NULL) and the bytes
 *  trailer  int16 -1
 * </pre>
 * PostgreSQL sends the header alone and then one tuple per message, but nothing here relies on
 * it: pieces may be cut anywhere. Whole tuples are decoded in place from the payload; only a
 * tuple cut across messages is gathered in a carry buffer first.
 */
public final class CopyBinaryReader implements CopyDataHandler {

    static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** flags bit 16: every tuple carries an OID (WITH OIDS, gone since PostgreSQL 12) */
    private static final int FLAG_OIDS = 1 << 16;
    private static final int HEADER = 0;
    private static final int TUPLES = 1;
    private static final int DONE = 2;

    /** Picks the share a tuple goes to, from the tuple in place (int16 field count at {@code pos}). */
    @FunctionalInterface
    public interface Router {
        int share(ByteBuffer b, int pos);
    }

    /** one decoder per share, each with its own batch and sink; a single one without a router */
    private final TupleDecoder[] shares;
    private final Router router;
    private int state = HEADER;
    private byte[] carry = new byte[0];
    private int carryLength;
    /** bytes the carry must hold before parsing again is worth it */
    private long carryNeeded;

    /**
     * @param columns the plans of the query's columns, in order
     * @param batch a builder made by {@link InputTypes#newBatch} for those plans
     * @param sink receives each full batch; the reader resets it afterwards
     */
    public CopyBinaryReader(List<InputColumnPlan> columns, BatchBuilder batch, BatchSink sink) {
        this.shares = new TupleDecoder[] {new TupleDecoder(columns, batch, sink)};
        this.router = null;
    }

    /**
     * Deals the tuples out to shares: {@code router} names each tuple's share, an index into
     * {@code batches} and {@code sinks} (one builder and sink per share).
     */
    public CopyBinaryReader(List<InputColumnPlan> columns, List<BatchBuilder> batches, List<BatchSink> sinks,
                            Router router) {
        this.shares = new TupleDecoder[batches.size()];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = new TupleDecoder(columns, batches.get(i), sinks.get(i));
        }
        this.router = router;
    }

    /** Rows decoded so far. */
    public long rowCount() {
        long rows = 0;
        for (TupleDecoder share : shares) {
            rows += share.rows();
        }
        return rows;
    }

    @Override
    public void data(ByteBuffer payload) throws PgException {
        ByteBuffer in = payload.order() == ByteOrder.BIG_ENDIAN ? payload
                : payload.duplicate().order(ByteOrder.BIG_ENDIAN);
        int from = in.position();
        int to = in.limit();
        if (carryLength == 0) {
            int consumed = parse(in, from, to);
            keep(in, from + consumed, to);
            return;
        }
        append(in, from, to);
        if (carryLength < carryNeeded) {
            return;
        }
        ByteBuffer carried = ByteBuffer.wrap(carry, 0, carryLength);
        int consumed = parse(carried, 0, carryLength);
        System.arraycopy(carry, consumed, carry, 0, carryLength - consumed);
        carryLength -= consumed;
        if (carryLength == 0 && carry.length > 1 << 20) {
            carry = new byte[0];
        }
    }

    /**
     * Checks that the stream ended with its trailer and sends the last, partial batch.
     *
     * @return the number of rows read
     */
    public long finish() throws PgException {
        if (state != DONE || carryLength != 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, state == HEADER
                    ? "binary COPY ended before its header" : "binary COPY ended without its trailer");
        }
        for (TupleDecoder share : shares) {
            share.flush();
        }
        return rowCount();
    }

    /** Parses what is complete in {@code [from, to)}; returns the bytes consumed. */
    private int parse(ByteBuffer b, int from, int to) throws PgException {
        int pos = from;
        carryNeeded = 0;
        while (pos < to) {
            if (state == HEADER) {
                int length = headerLength(b, pos, to);
                if (length < 0) {
                    carryNeeded = -length;
                    break;
                }
                pos += length;
                state = TUPLES;
                continue;
            }
            if (state == DONE) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "data after the binary COPY trailer");
            }
            if (to - pos < 2) {
                carryNeeded = 2;
                break;
            }
            int count = b.getShort(pos);
            if (count == -1) {
                state = DONE;
                pos += 2;
                continue;
            }
            // every share decodes the same columns: the first one checks the tuple's shape
            shares[0].checkFieldCount(count);
            long length = shares[0].measure(b, pos, to);
            if (length < 0) {
                carryNeeded = -length;
                break;
            }
            pos = shares[router == null ? 0 : router.share(b, pos)].decode(b, pos);
        }
        return pos - from;
    }

    /** The header's length, or its negated minimum length while incomplete. */
    private static int headerLength(ByteBuffer b, int pos, int to) throws PgException {
        int fixed = SIGNATURE.length + 8;
        if (to - pos < fixed) {
            return -fixed;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b.get(pos + i) != SIGNATURE[i]) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "not a binary COPY stream (bad signature)");
            }
        }
        int flags = b.getInt(pos + SIGNATURE.length);
        if ((flags & FLAG_OIDS) != 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "binary COPY with OIDs is not supported");
        }
        int extension = b.getInt(pos + SIGNATURE.length + 4);
        if (extension < 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "negative binary COPY header extension length");
        }
        long total = (long) fixed + extension;
        if (to - pos < total) {
            return (int) -Math.min(total, Integer.MAX_VALUE);
        }
        return (int) total;
    }

    private void keep(ByteBuffer in, int from, int to) {
        if (from < to) {
            append(in, from, to);
        }
    }

    private void append(ByteBuffer in, int from, int to) {
        int n = to - from;
        if (carry.length - carryLength < n) {
            long wanted = Math.max((long) carryLength + n, Math.max(carryNeeded, (long) carry.length * 2));
            carry = Arrays.copyOf(carry, (int) Math.min(wanted, Integer.MAX_VALUE - 16));
        }
        in.get(from, carry, carryLength, n);
        carryLength += n;
    }
}
