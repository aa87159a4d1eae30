package io.extensa.engine.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.engine.types.CopyBinaryReader;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyRoutingTest {

    private static final int[] FIRST_COLUMN = {0};

    /** A binary COPY tuple: int16 count, then (int32 length, bytes) per field; an int4 key and a float8. */
    private static ByteBuffer row(int key) {
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 12);
        b.putShort((short) 2).putInt(4).putInt(key).putInt(8).putDouble(key * 0.5);
        return b.flip();
    }

    private static ByteBuffer nullKeyRow() {
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + 12);
        b.putShort((short) 2).putInt(-1).putInt(8).putDouble(1);
        return b.flip();
    }

    @Test
    void keysInTableOrderSplitEvenlyWhereTheirHashesDidNot() {
        // the partitions benchmark: 1,000 keys of 1,000 rows, stored in key order
        int[] byHash = new int[2];
        for (int k = 0; k < 1000; k++) {
            byHash[Math.floorMod(PartitionKeys.hash(row(k), FIRST_COLUMN), 2)]++;
        }
        assertThat(byHash[0]).as("keys the hash alone gives satellite 0").isNotEqualTo(500);

        KeyRouting routing = new KeyRouting(2, FIRST_COLUMN);
        CopyBinaryReader.Router router = routing.newRouter();
        int[] keysPerShare = new int[2];
        for (int k = 0; k < 1000; k++) {
            ByteBuffer row = row(k);
            int share = router.share(row, 0);
            keysPerShare[share]++;
            for (int r = 1; r < 1000; r++) {
                assertThat(router.share(row, 0)).isEqualTo(share);
            }
        }
        assertThat(keysPerShare).containsExactly(500, 500);
        // a router reports its rows when the key changes
        router.share(row(0), 0);
        assertThat(routing.rowsDealt()).containsExactly(500_000L, 500_000L);
    }

    @Test
    void routersOfOneCallAgreeOnEveryKeyWhateverTheOrder() {
        KeyRouting routing = new KeyRouting(3, FIRST_COLUMN);
        CopyBinaryReader.Router first = routing.newRouter();
        CopyBinaryReader.Router second = routing.newRouter();
        Map<Integer, Integer> shareOfKey = new HashMap<>();
        Random random = new Random(7);
        int[] rows = new int[3];
        for (int i = 0; i < 30_000; i++) {
            int key = random.nextInt(300);
            CopyBinaryReader.Router router = random.nextBoolean() ? first : second;
            int share = router.share(row(key), 0);
            rows[share]++;
            Integer before = shareOfKey.putIfAbsent(key, share);
            if (before != null) {
                assertThat(share).as("key " + key).isEqualTo(before);
            }
        }
        assertThat(java.util.Arrays.stream(rows).boxed()).allSatisfy(n -> assertThat(n).isBetween(8_000, 12_000));
        int nullShare = first.share(nullKeyRow(), 0);
        assertThat(second.share(nullKeyRow(), 0)).isEqualTo(nullShare);
    }

    @Test
    void pastTheTrackedKeysNewKeysGoByHashAndStillStayTogether() {
        KeyRouting routing = new KeyRouting(2, FIRST_COLUMN);
        CopyBinaryReader.Router router = routing.newRouter();
        int keys = KeyRouting.MAX_TRACKED + 5_000;
        int[] shareOf = new int[keys];
        for (int k = 0; k < keys; k++) {
            shareOf[k] = router.share(row(spread(k)), 0);
        }
        Set<Integer> trackedHashes = new HashSet<>();
        for (int k = 0; k < KeyRouting.MAX_TRACKED; k++) {
            trackedHashes.add(PartitionKeys.hash(row(spread(k)), FIRST_COLUMN));
        }
        Set<Integer> byHash = new HashSet<>();
        for (int k = KeyRouting.MAX_TRACKED; k < keys; k++) {
            int hash = PartitionKeys.hash(row(spread(k)), FIRST_COLUMN);
            if (trackedHashes.contains(hash)) {
                continue; // a collision with a tracked key shares that key's satellite
            }
            assertThat(shareOf[k]).isEqualTo(Math.floorMod(hash, 2));
            byHash.add(shareOf[k]);
        }
        assertThat(byHash).containsExactlyInAnyOrder(0, 1);
        // every key, tracked or not, comes back to where it went
        for (int k = keys - 1; k >= 0; k -= 7) {
            assertThat(router.share(row(spread(k)), 0)).as("key " + k).isEqualTo(shareOf[k]);
        }
    }

    /** distinct keys whose bytes all differ, so that few of them share a hash */
    private static int spread(int k) {
        return k * -1_640_531_535;
    }

    @Test
    void oneSatelliteGetsEverything() {
        CopyBinaryReader.Router router = new KeyRouting(1, FIRST_COLUMN).newRouter();
        for (int k = 0; k < 100; k++) {
            assertThat(router.share(row(k), 0)).isZero();
        }
    }
}
