package io.extensa.protocol.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldCursorTest {

    @Test
    void readsEveryKindAndSkipsPadding() throws ProtocolException {
        ByteBuffer payload = new PayloadBuilder()
                .int64(1, -5).float64(2, Double.NaN).bool(3, true).text(4, "\u00e9t\u00e9").bytes(5, new byte[] {1, 2, 3})
                .beginStruct(6).int64(1, 9).endStruct()
                .toByteBuffer();
        assertThat(payload.remaining() % 8).isZero();
        FieldCursor c = new FieldCursor(payload, "T");
        assertThat(c.next()).isTrue();
        assertThat(c.tag()).isEqualTo(1);
        assertThat(c.kind()).isEqualTo(FieldKind.INT);
        assertThat(c.asInt()).isEqualTo(-5);
        c.next();
        assertThat(c.asFloat()).isNaN();
        c.next();
        assertThat(c.asBool()).isTrue();
        c.next();
        assertThat(c.asText()).isEqualTo("\u00e9t\u00e9");
        c.next();
        ByteBuffer bytes = c.asBytes();
        assertThat(bytes.remaining()).isEqualTo(3);
        assertThat(bytes.isReadOnly()).isTrue();
        c.next();
        FieldCursor inner = c.asStruct();
        assertThat(inner.next()).isTrue();
        assertThat(inner.asInt()).isEqualTo(9);
        assertThat(inner.next()).isFalse();
        assertThat(c.next()).isFalse();
    }

    @Test
    void valuesAreEightByteAligned() throws ProtocolException {
        ByteBuffer payload = new PayloadBuilder().text(1, "abc").bytes(2, new byte[13]).bytes(3, new byte[1000])
                .toByteBuffer();
        FieldCursor c = new FieldCursor(payload, "T");
        int offset = 0;
        while (c.next()) {
            offset += 8;
            int length = c.kind() == FieldKind.TEXT ? c.asText().length() : c.asBytes().remaining();
            assertThat(offset % 8).isZero();
            offset += (length + 7) & ~7;
        }
        assertThat(offset).isEqualTo(payload.remaining());
    }

    @Test
    void unknownFieldsAreSkippedUnlessCritical() throws ProtocolException {
        FieldCursor c = new FieldCursor(new PayloadBuilder().int64(77, 1).critical().int64(78, 2).toByteBuffer(), "T");
        c.next();
        assertThat(c.critical()).isFalse();
        c.skipUnknown();
        c.next();
        assertThat(c.critical()).isTrue();
        assertThatThrownBy(c::skipUnknown).isInstanceOf(ProtocolException.class).hasMessageContaining("critical field 78");
    }

    @Test
    void rejectsMalformedFields() {
        assertThatThrownBy(() -> walk(raw(1, 4, 100, new byte[8]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("claims 100 bytes");
        assertThatThrownBy(() -> walk(raw(1, 9, 0, new byte[0]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown kind 9");
        assertThatThrownBy(() -> walk(raw(1, 1, 4, new byte[8]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("length 4");
        assertThatThrownBy(() -> walk(ByteBuffer.allocate(4))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("truncated");
        // a u32 length near 4 GB must not wrap around
        assertThatThrownBy(() -> walk(raw(1, 5, 0xFFFFFFF9, new byte[8]))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void rejectsBadUtf8AndBadBooleans() throws ProtocolException {
        FieldCursor text = new FieldCursor(raw(1, 4, 2, new byte[] {(byte) 0xC3, 0x28, 0, 0, 0, 0, 0, 0}), "T");
        text.next();
        assertThatThrownBy(text::asText).isInstanceOf(ProtocolException.class).hasMessageContaining("UTF-8");
        FieldCursor bool = new FieldCursor(raw(1, 3, 1, new byte[] {2, 0, 0, 0, 0, 0, 0, 0}), "T");
        bool.next();
        assertThatThrownBy(bool::asBool).isInstanceOf(ProtocolException.class);
    }

    @Test
    void kindMismatchAndRangeAreProtocolErrors() throws ProtocolException {
        FieldCursor c = new FieldCursor(new PayloadBuilder().int64(1, 1L << 40).toByteBuffer(), "T");
        c.next();
        assertThatThrownBy(c::asText).isInstanceOf(ProtocolException.class).hasMessageContaining("should be TEXT");
        assertThatThrownBy(c::asInt32).isInstanceOf(ProtocolException.class).hasMessageContaining("out of range");
    }

    @Test
    void textRoundTripsUnicode() throws ProtocolException {
        String s = "\u65e5\u672c \ud83c\udf89 \u0000 end";
        FieldCursor c = new FieldCursor(new PayloadBuilder().text(1, s).toByteBuffer(), "T");
        c.next();
        assertThat(c.asText()).isEqualTo(s);
        assertThat(s.getBytes(StandardCharsets.UTF_8)).hasSize(c.valueLength());
    }

    private static void walk(ByteBuffer payload) throws ProtocolException {
        FieldCursor c = new FieldCursor(payload, "T");
        while (c.next()) {
            // headers are validated by next()
        }
    }

    private static ByteBuffer raw(int tag, int kind, int length, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8 + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) tag).put((byte) kind).put((byte) 0).putInt(length).put(value);
        return b.flip();
    }
}
