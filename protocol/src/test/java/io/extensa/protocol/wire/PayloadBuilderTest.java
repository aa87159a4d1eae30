package io.extensa.protocol.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadBuilderTest {

    @Test
    void paddingIsZeroAndLengthsAreMultiplesOfEight() {
        ByteBuffer payload = new PayloadBuilder().text(1, "a").bool(2, true).bytes(3, new byte[9]).toByteBuffer();
        assertThat(payload.remaining()).isEqualTo(8 + 8 + 8 + 8 + 8 + 16);
        // the 7 bytes after "a" are padding
        for (int i = 9; i < 16; i++) {
            assertThat(payload.get(i)).isZero();
        }
    }

    @Test
    void nestedStructsSurviveScratchBufferRollover() throws ProtocolException {
        PayloadBuilder builder = new PayloadBuilder();
        builder.beginStruct(1);
        for (int i = 0; i < 2000; i++) {
            builder.beginStruct(2).int64(1, i).text(2, "value " + i).endStruct();
        }
        builder.bytes(3, new byte[5000]);
        builder.endStruct();
        builder.int64(4, 42);
        ByteBuffer payload = builder.toByteBuffer();
        FieldCursor outer = new FieldCursor(payload, "T");
        assertThat(outer.next()).isTrue();
        FieldCursor items = outer.asStruct();
        int count = 0;
        while (items.next()) {
            if (items.tag() == 2) {
                FieldCursor item = items.asStruct();
                item.next();
                assertThat(item.asInt()).isEqualTo(count);
                item.next();
                assertThat(item.asText()).isEqualTo("value " + count);
                count++;
            } else {
                assertThat(items.asBytes().remaining()).isEqualTo(5000);
            }
        }
        assertThat(count).isEqualTo(2000);
        assertThat(outer.next()).isTrue();
        assertThat(outer.asInt()).isEqualTo(42);
    }

    @Test
    void largeValuesAreReferencedNotCopied() {
        byte[] big = new byte[4096];
        PayloadBuilder builder = new PayloadBuilder().bytes(1, big);
        big[0] = 7;
        ByteBuffer payload = builder.toByteBuffer();
        assertThat(payload.get(8)).as("the builder holds the caller's array").isEqualTo((byte) 7);
    }

    @Test
    void openStructsAndBadTagsAreCallerErrors() {
        PayloadBuilder open = new PayloadBuilder().beginStruct(1);
        assertThatThrownBy(open::length).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new PayloadBuilder().int64(70000, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void criticalFlagAppliesToTheNextFieldOnly() throws ProtocolException {
        FieldCursor c = new FieldCursor(new PayloadBuilder().critical().int64(1, 1).int64(2, 2).toByteBuffer(), "T");
        c.next();
        assertThat(c.critical()).isTrue();
        c.next();
        assertThat(c.critical()).isFalse();
    }
}
