package io.extensa.engine.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.engine.types.CopyBinaryReader;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
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
        // a router reports its rows when it meets a bucket it has not seen
        router.share(row(1000), 0);
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
    void readerThreadsRoutingAtOnceAgreeOnEveryKey() throws Exception {
        // two parallel-read threads, keys in random order, more keys than buckets
        KeyRouting routing = new KeyRouting(2, FIRST_COLUMN);
        int keys = KeyRouting.BUCKETS * 4;
        int[][] shareOf = new int[2][keys];
        Thread[] readers = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int reader = t;
            readers[t] = new Thread(() -> {
                CopyBinaryReader.Router router = routing.newRouter();
                Random random = new Random(reader);
                java.util.Arrays.fill(shareOf[reader], -1);
                for (int i = 0; i < 300_000; i++) {
                    int k = random.nextInt(keys);
                    int share = router.share(row(spread(k)), 0);
                    if (shareOf[reader][k] >= 0 && shareOf[reader][k] != share) {
                        throw new AssertionError("key " + k + " moved from " + shareOf[reader][k] + " to " + share);
                    }
                    shareOf[reader][k] = share;
                }
            });
            readers[t].start();
        }
        for (Thread reader : readers) {
            reader.join();
        }
        int both = 0;
        for (int k = 0; k < keys; k++) {
            if (shareOf[0][k] >= 0 && shareOf[1][k] >= 0) {
                assertThat(shareOf[1][k]).as("key " + k).isEqualTo(shareOf[0][k]);
                both++;
            }
        }
        assertThat(both).isGreaterThan(10_000);
    }

    @Test
    void manyMoreKeysThanBucketsStayTogetherAndSpreadEvenly() {
        KeyRouting routing = new KeyRouting(3, FIRST_COLUMN);
        CopyBinaryReader.Router router = routing.newRouter();
        int keys = KeyRouting.BUCKETS * 8;
        int[] shareOf = new int[keys];
        int[] keysPerShare = new int[3];
        for (int k = 0; k < keys; k++) {
            shareOf[k] = router.share(row(spread(k)), 0);
            keysPerShare[shareOf[k]]++;
        }
        assertThat(java.util.Arrays.stream(keysPerShare).boxed())
                .allSatisfy(n -> assertThat(n).isBetween(keys / 3 - keys / 30, keys / 3 + keys / 30));
        // every key comes back to where it went, in any order and through another reader
        CopyBinaryReader.Router other = routing.newRouter();
        for (int k = keys - 1; k >= 0; k -= 7) {
            assertThat(router.share(row(spread(k)), 0)).as("key " + k).isEqualTo(shareOf[k]);
            assertThat(other.share(row(spread(k)), 0)).as("key " + k).isEqualTo(shareOf[k]);
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
