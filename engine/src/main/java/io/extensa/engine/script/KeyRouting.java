package io.extensa.engine.script;

import io.extensa.engine.types.CopyBinaryReader;
import java.nio.ByteBuffer;

/**
 * Which satellite each partition key of a hashed call goes to: a key seen for the first time goes
 * to the satellite that has been dealt the fewest rows so far, and every later row of that key
 * follows it. Past {@link #MAX_TRACKED} distinct keys, new keys go by their hash alone, so memory
 * stays bounded however many partitions there are.
 *
 * <p>Hashing alone dealt the 1,000 keys of the partitions benchmark 525 / 475: the busier
 * satellite ran 5% more fits while the other sat idle at the end. Dealing by load evens that out
 * to a partition.
 *
 * <p>Keys are tracked by their 32-bit hash ({@link PartitionKeys#hash}): equal keys have equal
 * hashes, so they always meet on one satellite; two keys that collide merely share a satellite.
 * Each reader thread gets its own {@link #newRouter() router}, which remembers the last key's
 * satellite (rows of a key mostly come together) and only takes the shared table's lock when the
 * key changes.
 */
final class KeyRouting {

    /** distinct keys placed by load; later new keys go by hash */
    static final int MAX_TRACKED = 1 << 16;
    private static final int INITIAL_SLOTS = 1 << 10;

    private final int satellites;
    private final int[] keyColumns;
    /**
     * Open addressing, at most half full: the hash in {@code slotHash}, the satellite plus one in
     * {@code slotShare} (0: an empty slot).
     */
    private int[] slotHash = new int[INITIAL_SLOTS];
    private int[] slotShare = new int[INITIAL_SLOTS];
    private int tracked;
    private final long[] rowsDealt;

    KeyRouting(int satellites, int[] keyColumns) {
        if (satellites < 1) {
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

    /**
     * The satellite of a key's hash: the one it was given, or, for a new key, the one with the
     * fewest rows (counting {@code pending}, a router's rows not reported yet, which it adds).
     */
    private synchronized int shareOf(int hash, long[] pending) {
        for (int i = 0; i < satellites; i++) {
            rowsDealt[i] += pending[i];
            pending[i] = 0;
        }
        int slot = find(slotHash, slotShare, hash);
        if (slotShare[slot] != 0) {
            return slotShare[slot] - 1;
        }
        if (tracked >= MAX_TRACKED) {
            return Math.floorMod(hash, satellites);
        }
        if ((tracked + 1) * 2 > slotHash.length) {
            grow();
            slot = find(slotHash, slotShare, hash);
        }
        int share = leastLoaded();
        slotHash[slot] = hash;
        slotShare[slot] = share + 1;
        tracked++;
        return share;
    }

    /** The slot holding {@code hash}, or the empty slot where it would go. */
    private static int find(int[] hashes, int[] shares, int hash) {
        int mask = hashes.length - 1;
        int slot = (hash ^ (hash >>> 16)) & mask;
        while (shares[slot] != 0 && hashes[slot] != hash) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        int[] hashes = new int[slotHash.length * 2];
        int[] shares = new int[hashes.length];
        for (int i = 0; i < slotHash.length; i++) {
            if (slotShare[i] != 0) {
                int slot = find(hashes, shares, slotHash[i]);
                hashes[slot] = slotHash[i];
                shares[slot] = slotShare[i];
            }
        }
        slotHash = hashes;
        slotShare = shares;
    }

    private int leastLoaded() {
        int best = 0;
        for (int i = 1; i < satellites; i++) {
            if (rowsDealt[i] < rowsDealt[best]) {
                best = i;
            }
        }
        return best;
    }

    private final class Router implements CopyBinaryReader.Router {
        private final long[] pending = new long[satellites];
        private boolean known;
        private int lastHash;
        private int lastShare;

        @Override
        public int share(ByteBuffer b, int pos) {
            int hash = PartitionKeys.hash(b, pos, keyColumns);
            if (!known || hash != lastHash) {
                lastShare = shareOf(hash, pending);
                lastHash = hash;
                known = true;
            }
            pending[lastShare]++;
            return lastShare;
        }
    }
}
