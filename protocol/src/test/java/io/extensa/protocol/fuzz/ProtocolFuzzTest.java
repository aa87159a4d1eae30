package io.extensa.protocol.fuzz;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.golden.GoldenFiles;
import io.extensa.protocol.golden.NeutralValues;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Throws random and mutated frames at the frame reader, the field cursor, the message decoders
 * and the batch decoder. Only ProtocolException or EOFException may come out; accessors of a
 * batch that decoded must stay in bounds for every row; no decode allocates far beyond its input.
 */
class ProtocolFuzzTest {

    /** Small, so that mutated lengths run into it. */
    private static final long LIMIT = 256 * 1024;
    private static final int ROUNDS = Integer.getInteger("extensa.fuzz.rounds", 30_000);

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void mutatedGoldenFramesFailCleanly() throws IOException {
        List<byte[]> seeds = seeds();
        Random random = new Random(20240601);
        int decodedAfterMutation = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] input = mutate(seed, random);
            if (exercise(input, round)) {
                decodedAfterMutation++;
            }
        }
        // many mutations land in values and still decode; the rest must have failed cleanly
        assertThat(decodedAfterMutation).isGreaterThan(ROUNDS / 20);
    }

    @Test
    void randomBytesFailCleanly() {
        Random random = new Random(7);
        for (int round = 0; round < 5_000; round++) {
            byte[] input = new byte[random.nextInt(200)];
            random.nextBytes(input);
            if (input.length >= 16 && random.nextBoolean()) {
                // a valid header in front of random fields gets past the frame checks
                ByteBuffer header = ByteBuffer.wrap(input, 0, 16).order(ByteOrder.LITTLE_ENDIAN);
                int[] codes = {0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x23, 0x25, 0x30, 0x60, 0x62};
                header.putInt(0x53545845).put((byte) 1).put((byte) codes[random.nextInt(codes.length)])
                        .putShort((short) 0).putInt((input.length - 16) & ~7).putInt(0);
            }
            exercise(input, round);
        }
    }

    /** @return whether every frame decoded */
    private boolean exercise(byte[] input, int round) {
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            FrameReader reader = new FrameReader(Channels.newChannel(new ByteArrayInputStream(input)), LIMIT);
            for (Frame frame = reader.read(); frame != null; frame = reader.read()) {
                Messages.decode(frame);
                if (frame.type() == MessageType.INPUT_BATCH || frame.type() == MessageType.OUTPUT_BATCH) {
                    touchEveryValue(Batch.decode(frame));
                }
            }
            return true;
        } catch (ProtocolException | EOFException expected) {
            return false;
        } catch (Throwable unexpected) {
            fail("round " + round + " threw " + unexpected + " for " + hex(input), unexpected);
            return false;
        } finally {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // decoding copies nothing big: allow a generous multiple of the input plus fixed overhead
            assertThat(allocated).as("allocation in round " + round).isLessThan(LIMIT + 64L * input.length + (4 << 20));
        }
    }

    private static void touchEveryValue(Batch batch) {
        for (ColumnVector column : batch.columns()) {
            NeutralValues.values(column);
        }
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] out = seed.clone();
        switch (random.nextInt(7)) {
            case 0 -> {
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips && out.length > 0; i++) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                if (out.length > 0) {
                    out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
            case 3 -> {
                // overwrite an aligned 4-byte word (lengths, offsets, counts) with an interesting value
                if (out.length >= 8) {
                    int at = random.nextInt(out.length / 4) * 4;
                    int[] interesting = {0, 1, -1, 7, 8, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF8, 16, 1 << 20};
                    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(at, interesting[random.nextInt(interesting.length)]);
                }
            }
            case 4 -> {
                // field-header kind or flags
                if (out.length > 24) {
                    int at = 16 + random.nextInt((out.length - 16) / 8) * 8;
                    out[at + 2 + random.nextInt(2)] = (byte) random.nextInt(12);
                }
            }
            case 5 -> {
                int from = random.nextInt(out.length + 1);
                byte[] extra = new byte[8 * random.nextInt(4)];
                random.nextBytes(extra);
                byte[] grown = new byte[out.length + extra.length];
                System.arraycopy(out, 0, grown, 0, from);
                System.arraycopy(extra, 0, grown, from, extra.length);
                System.arraycopy(out, from, grown, from + extra.length, out.length - from);
                out = grown;
            }
            default -> {
                // an 8-byte value (row_count, null_count, type) set to something hostile
                if (out.length >= 16) {
                    int at = random.nextInt(out.length / 8) * 8;
                    long[] interesting = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 17, 99};
                    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(at, interesting[random.nextInt(interesting.length)]);
                }
            }
        }
        return out;
    }

    private static List<byte[]> seeds() throws IOException {
        Path dir = GoldenFiles.testdataDir();
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".bin")).sorted().toList()) {
                seeds.add(Files.readAllBytes(p));
            }
        }
        assertThat(seeds).hasSizeGreaterThan(30);
        return seeds;
    }

    private static String hex(byte[] input) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(input.length, 256); i++) {
            s.append(String.format("%02x", input[i]));
        }
        return s.toString();
    }
}
