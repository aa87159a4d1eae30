package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BenchDataTest {

    @Test
    void binaryCopyHasSignatureRowsAndTrailer() {
        byte[] copy = BenchData.binaryCopyOfInsertedRows(3);
        ByteBuffer in = ByteBuffer.wrap(copy);
        byte[] signature = new byte[11];
        in.get(signature);
        assertThat(Arrays.copyOf(signature, 6)).isEqualTo("PGCOPY".getBytes(StandardCharsets.US_ASCII));
        assertThat(signature).endsWith(new byte[] {'\n', (byte) 0xFF, '\r', '\n', 0});
        assertThat(in.getInt()).as("flags").isZero();
        assertThat(in.getInt()).as("header extension").isZero();
        for (int row = 0; row < 3; row++) {
            assertThat(in.getShort()).as("fields").isEqualTo((short) 3);
            for (double expected : BenchData.insertedRow(row)) {
                assertThat(in.getInt()).as("field length").isEqualTo(8);
                assertThat(in.getDouble()).isEqualTo(expected);
            }
        }
        assertThat(in.getShort()).as("trailer").isEqualTo((short) -1);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void insertedRowsAreIHalfAndQuarter() {
        assertThat(BenchData.insertedRow(10)).containsExactly(10.0, 5.0, 2.5);
    }
}
