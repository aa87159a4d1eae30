package io.extensa.pgwire.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.pgwire.message.PgBuffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    @Test
    void directReadsInOddPiecesYieldEveryCopyDataWholeAndInOrder() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Random random = new Random(7);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            // mostly small rows, now and then one larger than the assembler's first array
            int size = i % 997 == 0 ? 150_000 : random.nextInt(60);
            sizes.add(size);
            PgBuffer m = new PgBuffer(size + 8);
            m.begin('d').putInt(i);
            for (int k = 0; k < size; k++) {
                m.put((byte) (i + k));
            }
            m.end();
            ByteBuffer bytes = m.asByteBuffer();
            wire.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }
        PieceTransport transport = new PieceTransport(wire.toByteArray(), random);
        MessageAssembler assembler = new MessageAssembler();
        List<Integer> seen = new ArrayList<>();
        while (assembler.readFrom(transport) >= 0) {
            assembler.drainCopyData(payload -> {
                int index = payload.getInt();
                assertThat(payload.remaining()).isEqualTo(sizes.get(index));
                for (int k = 0; payload.hasRemaining(); k++) {
                    assertThat(payload.get()).isEqualTo((byte) (index + k));
                }
                seen.add(index);
            });
        }
        assertThat(seen).hasSize(sizes.size());
        assertThat(seen).isSorted();
        assertThat(assembler.hasPartial()).isFalse();
    }

    /** Hands out the bytes in random pieces of 1 byte to 100 KB, as a socket under load would. */
    private static final class PieceTransport implements Transport {
        private final byte[] bytes;
        private final Random random;
        private int position;

        PieceTransport(byte[] bytes, Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read(ByteBuffer into) {
            if (position == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(into.remaining(), 1 + random.nextInt(100_000)), bytes.length - position);
            into.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public void write(ByteBuffer from) {
            throw new AssertionError("the assembler only reads from its transport");
        }

        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
