package io.extensa.engine.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PartitionKeysTest {

    /** A binary DataRow body: int16 count, then (int32 length, bytes) per field, -1 for NULL. */
    private static ByteBuffer row(byte[]... fields) {
        ByteBuffer b = ByteBuffer.allocate(256);
        b.putShort((short) fields.length);
        for (byte[] f : fields) {
            if (f == null) {
                b.putInt(-1);
            } else {
                b.putInt(f.length).put(f);
            }
        }
        return b.flip();
    }

    private static byte[] int4(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keysAreTheKeyColumnsBytesInKeyOrder() {
        byte[][] key = PartitionKeys.extract(row(int4(1), text("north"), null), new int[] {2, 1});
        assertThat(key[0]).isNull();
        assertThat(key[1]).isEqualTo(text("north"));
    }

    @Test
    void equalKeysAreTheSameAndNullEqualsNull() {
        int[] cols = {0, 1};
        byte[][] a = PartitionKeys.extract(row(int4(7), null, text("x")), cols);
        byte[][] b = PartitionKeys.extract(row(int4(7), null, text("y")), cols);
        byte[][] c = PartitionKeys.extract(row(int4(8), null, text("x")), cols);
        assertThat(PartitionKeys.same(a, b)).isTrue();
        assertThat(PartitionKeys.same(a, c)).isFalse();
        assertThat(PartitionKeys.same(a, null)).isFalse();
    }

    @Test
    void commonTypesRenderAsSqlLiterals() {
        assertThat(PartitionKeys.render(int4(42), 23)).isEqualTo("42");
        assertThat(PartitionKeys.render(text("O'Neil"), 25)).isEqualTo("'O''Neil'");
        assertThat(PartitionKeys.render(null, 25)).isEqualTo("NULL");
        assertThat(PartitionKeys.render(ByteBuffer.allocate(4).putInt(366).array(), 1082)).isEqualTo("'2001-01-01'");
        assertThat(PartitionKeys.render(new byte[] {1, 2}, 17)).isEqualTo("(binary) 0102");
    }

    @Test
    void sameKeyReadsInPlaceAndAgreesWithExtract() {
        int[] cols = {2, 0};
        ByteBuffer first = row(int4(7), text("x"), null);
        byte[][] key = PartitionKeys.extract(first, cols);
        assertThat(PartitionKeys.sameKey(row(int4(7), text("other"), null), cols, key)).isTrue();
        assertThat(PartitionKeys.sameKey(row(int4(8), text("x"), null), cols, key)).isFalse();
        assertThat(PartitionKeys.sameKey(row(int4(7), text("x"), text("")), cols, key)).as("empty is not NULL").isFalse();
        assertThat(PartitionKeys.sameKey(row(new byte[] {0, 0, 7}, text("x"), null), cols, key)).isFalse();
        assertThat(PartitionKeys.sameKey(first, cols, null)).isFalse();
    }
    @Test
    void equalKeysHashEquallyWhateverTheOtherColumnsAndNullIsAKeyOfItsOwn() {
        int[] key = {1, 2};
        int a = PartitionKeys.hash(row(int4(1), text("north"), int4(7)), key);
        assertThat(PartitionKeys.hash(row(int4(99), text("north"), int4(7)), key)).isEqualTo(a);
        assertThat(PartitionKeys.hash(row(int4(1), text("south"), int4(7)), key)).isNotEqualTo(a);
        int nullKey = PartitionKeys.hash(row(int4(1), null, int4(7)), key);
        assertThat(nullKey).isNotEqualTo(a)
                .isNotEqualTo(PartitionKeys.hash(row(int4(1), text(""), int4(7)), key))
                .isEqualTo(PartitionKeys.hash(row(int4(5), null, int4(7)), key));
    }

    @Test
    void consecutiveIntegerKeysSpreadEvenlyOverTwoSatellites() {
        int[] counts = new int[2];
        for (int k = 0; k < 1000; k++) {
            counts[Math.floorMod(PartitionKeys.hash(row(int4(k)), new int[] {0}), 2)]++;
        }
        assertThat(counts[0]).isBetween(430, 570);
    }

    @Test
    void distinctIntegerAndTextKeysGetDistinctHashes() {
        // the polynomial hash before gave the integers 0..999 only 349 distinct hashes
        java.util.Set<Integer> ints = new java.util.HashSet<>();
        java.util.Set<Integer> texts = new java.util.HashSet<>();
        for (int k = 0; k < 1000; k++) {
            ints.add(PartitionKeys.hash(row(int4(k)), new int[] {0}));
            texts.add(PartitionKeys.hash(row(text("key-" + k)), new int[] {0}));
        }
        assertThat(ints).hasSize(1000);
        assertThat(texts).hasSize(1000);
    }

    @Test
    void aSatellitesUnitKeyIsRenderedLikeAnEngineKey() {
        var number = io.extensa.protocol.batch.ColumnBuilder.create(io.extensa.protocol.batch.ColumnType.INT32, null);
        number.appendInt(42);
        var name = io.extensa.protocol.batch.ColumnBuilder.create(io.extensa.protocol.batch.ColumnType.TEXT, null);
        name.appendUtf8("it's");
        var day = io.extensa.protocol.batch.ColumnBuilder.create(io.extensa.protocol.batch.ColumnType.DATE, null);
        day.appendNull();
        var key = new io.extensa.protocol.batch.Batch(1, java.util.List.of(number.build(), name.build(), day.build()));
        assertThat(PartitionKeys.describe(key, java.util.List.of("grp", "t", "d")))
                .isEqualTo("(grp = 42, t = 'it''s', d = NULL)");
    }
}
