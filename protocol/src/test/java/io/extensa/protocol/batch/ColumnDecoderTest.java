package io.extensa.protocol.batch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColumnDecoderTest {

    @Test
    void decimalGrammar() {
        for (String ok : new String[] {"0", "-12.500", "+1", ".5", "5.", "1E+30", "1e-7", "-1.5E3", "NaN", "Infinity",
                "-Infinity", "+Infinity", "123456789012345678901234567890.000000001"}) {
            assertThat(DecimalText.isValid(bytes(ok), 0, ok.length())).as(ok).isTrue();
        }
        for (String bad : new String[] {"", "-", ".", "1e", "1e+", "12a", "--1", "1.2.3", "nan", "inf", "-NaN", " 1",
                "1 ", "0x10", "E5"}) {
            assertThat(DecimalText.isValid(bytes(bad), 0, bad.length())).as(bad).isFalse();
        }
    }

    @Test
    void utf8Validation() {
        assertThat(Utf8.firstInvalid(bytes("plain ascii that is long enough"), 0, 31)).isEqualTo(-1);
        String mixed = "ab\u00e9\u20ac\ud83d\ude00z";
        ByteBuffer ok = bytes(mixed);
        assertThat(Utf8.firstInvalid(ok, 0, ok.remaining())).isEqualTo(-1);
        int[][] bad = {
                {0xC0, 0xAF},             // overlong '/'
                {0xE0, 0x80, 0xAF},       // overlong
                {0xED, 0xA0, 0x80},       // surrogate U+D800
                {0xF4, 0x90, 0x80, 0x80}, // above U+10FFFF
                {0xE2, 0x82},             // truncated
                {0x80},                   // stray continuation
                {0xFF},
        };
        for (int[] seq : bad) {
            byte[] b = new byte[seq.length + 1];
            b[0] = 'x';
            for (int i = 0; i < seq.length; i++) {
                b[i + 1] = (byte) seq[i];
            }
            assertThat(Utf8.firstInvalid(ByteBuffer.wrap(b), 0, b.length)).isEqualTo(1);
        }
    }

    @Test
    void textSplitAcrossRowsIsRejected() {
        byte[] e = "\u00e9".getBytes(StandardCharsets.UTF_8);
        PayloadBuilder column = new PayloadBuilder().int64(1, ColumnType.TEXT.code()).int64(2, 0)
                .bytes(4, ints(0, 1, 2)).bytes(5, e);
        assertThatThrownBy(() -> ColumnVector.decode(new FieldCursor(column.toByteBuffer(), "c"), 2))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("row 0 is not valid UTF-8");
    }

    @Test
    void structuralMistakesAreNamed() {
        assertThat(error(new PayloadBuilder().int64(2, 0), 0)).contains("without a type");
        assertThat(error(new PayloadBuilder().int64(1, 3).int64(2, 0).bytes(5, new byte[4]).bytes(4, ints(0)), 1))
                .contains("offsets does not belong");
        assertThat(error(new PayloadBuilder().int64(1, 3).int64(2, 2).bytes(5, new byte[4]), 1))
                .contains("null_count 2");
        assertThat(error(new PayloadBuilder().int64(1, 3).int64(2, 1).bytes(5, new byte[4]), 1))
                .contains("no validity");
        assertThat(error(new PayloadBuilder().int64(1, 3).int64(1, 3), 0)).contains("repeated");
        assertThat(error(new PayloadBuilder().int64(1, 8).int64(2, 0).bytes(5, new byte[0]), 1))
                .contains("missing offsets");
        assertThat(error(new PayloadBuilder().int64(1, 8).int64(2, 0).bytes(4, ints(1, 1)).bytes(5, new byte[1]), 1))
                .contains("first offset");
        assertThat(error(new PayloadBuilder().int64(1, 17).int64(2, 0).bytes(4, ints(0, 0)), 1))
                .contains("without a child");
    }

    @Test
    void unknownNonCriticalColumnFieldsAreSkipped() throws ProtocolException {
        PayloadBuilder column = new PayloadBuilder().int64(1, ColumnType.INT16.code()).int64(2, 0)
                .text(40, "future").bytes(5, new byte[] {5, 0});
        ColumnVector v = ColumnVector.decode(new FieldCursor(column.toByteBuffer(), "c"), 1);
        assertThat(v.getShort(0)).isEqualTo((short) 5);
        PayloadBuilder critical = new PayloadBuilder().int64(1, ColumnType.INT16.code()).int64(2, 0)
                .critical().text(40, "future").bytes(5, new byte[] {5, 0});
        assertThatThrownBy(() -> ColumnVector.decode(new FieldCursor(critical.toByteBuffer(), "c"), 1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("critical");
    }

    private static String error(PayloadBuilder column, int rows) {
        try {
            ColumnVector.decode(new FieldCursor(column.toByteBuffer(), "c"), rows);
            throw new AssertionError("decoded");
        } catch (ProtocolException e) {
            return e.getMessage();
        }
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }
}
