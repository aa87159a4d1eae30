package io.extensa.pgwire.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgBufferTest {

    @Test
    void framesMessagesWithTheirLength() {
        PgBuffer b = new PgBuffer(4);
        b.begin('C').putCString("SELECT 1").end();
        assertThat(b.toByteArray()).startsWith('C', 0, 0, 0, 13);
        assertThat(b.size()).isEqualTo(14);
    }

    /** Regression: an error raised while a DataRow was half written used to fail with "message already open". */
    @Test
    void abandonedMessageLeavesNoTraceAndTheNextOneCanStart() {
        PgBuffer b = new PgBuffer();
        b.begin('T').putShort(0).end();
        int before = b.size();
        b.begin('D').putShort(2).putInt(3).put(new byte[] {1, 2, 3});
        b.abandonMessage();
        assertThat(b.size()).isEqualTo(before);
        b.begin('E').put(0).end();
        assertThat(b.toByteArray()[before]).isEqualTo((byte) 'E');
        b.abandonMessage();
        assertThat(b.hasOpenMessage()).isFalse();
    }
}
