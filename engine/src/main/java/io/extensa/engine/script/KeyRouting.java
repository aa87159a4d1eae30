package io.extensa.engine.script;

import io.extensa.engine.types.CopyBinaryReader;
import java.nio.ByteBuffer;

/**
 * Which satellite each partition key of a hashed call goes to. Keys fall into
 * {@value #BUCKETS} buckets by their hash ({@link PartitionKeys#hash}); the first time a bucket
 * is met it goes to the satellite that has been dealt the fewest rows so far, and every later row
 * of every key in it follows. Equal keys have equal hashes, so they always meet on one satellite.
 *
 * <p>Dealing by hash alone split the 1,000 keys of the partitions benchmark 518 / 482 (525 / 475
 * with the hash before FNV-1a): the busier satellite ran that many more fits while the other sat
 * idle at the end. With few keys, as there, almost every key has a bucket of its own and the
 * satellites get even shares; with many keys, every bucket holds many and the shares are as even
 * as hashing makes them.
 *
 * <p>Each reader thread gets its own {@link #newRouter() router} with its own copy of the bucket
 * map (32 KiB), filled as it meets buckets: a row costs one array read more than hashing did,
 * whatever the order of the keys, and the shared map's lock is taken at most once per bucket and
 * reader.
 */
final class KeyRouting {

    static final int BUCKETS = 1 << 14;
    private static final int MAX_SATELLITES = Short.MAX_VALUE - 1;

    private final int satellites;
    private final int[] keyColumns;
    /** per bucket, its satellite plus one; 0: not met yet */
    private final short[] bucketShare = new short[BUCKETS];
    private final long[] rowsDealt;

    KeyRouting(int satellites, int[] keyColumns) {
        if (satellites < 1 || satellites > MAX_SATELLITES) {
            throw new IllegalArgumentException("satellites: " + satellites);
        }
        this.satellites = satellites;
        this.keyColumns = keyColumns.clone();
        this.rowsDealt = new long[satellites];
    }

    /** A router for one reader thread; routers of one routing agree on every key. */
    CopyBinaryReader.Router newRouter() {
        if (satellites == 1) {
            return (b, pos) -> 0;
        }
        return new Router();
    }

    /** Rows dealt to each satellite so far, as the routers last reported them. */
    synchronized long[] rowsDealt() {
        return rowsDealt.clone();
    }

    static int bucket(int hash) {
        return (hash ^ (hash >>> 16)) & (BUCKETS - 1);
    }

    /**
     * The satellite of a bucket plus one: the one it was given, or, the first time, the one with
     * the fewest rows (counting {@code pending}, a router's rows not reported yet, which it adds).
     */
    private synchronized short shareOf(int bucket, long[] pending) {
        for (int i = 0; i < satellites; i++) {
            rowsDealt[i] += pending[i];
            pending[i] = 0;
        }
        if (bucketShare[bucket] == 0) {
            int best = 0;
            for (int i = 1; i < satellites; i++) {
                if (rowsDealt[i] < rowsDealt[best]) {
                    best = i;
                }
            }
            bucketShare[bucket] = (short) (best + 1);
        }
        return bucketShare[bucket];
    }

    private final class Router implements CopyBinaryReader.Router {
        private final long[] pending = new long[satellites];
        private final short[] known = new short[BUCKETS];

        @Override
        public int share(ByteBuffer b, int pos) {
            int bucket = bucket(PartitionKeys.hash(b, pos, keyColumns));
            short share = known[bucket];
            if (share == 0) {
                share = shareOf(bucket, pending);
                known[bucket] = share;
            }
            pending[share - 1]++;
            return share - 1;
        }
    }
}
