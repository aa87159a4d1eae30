package io.extensa.launchpad.process;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class OutputTailTest {

    private static void append(OutputTail tail, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        tail.append(bytes, 0, bytes.length);
    }

    @Test
    void keepsEverythingWhileItFits() {
        OutputTail tail = new OutputTail(16);
        append(tail, "hello ");
        append(tail, "world");
        assertThat(tail.text()).isEqualTo("hello world");
        assertThat(tail.written()).isEqualTo(11);
    }

    @Test
    void keepsTheLastBytesAcrossManySmallWrites() {
        OutputTail tail = new OutputTail(10);
        for (int i = 0; i < 100; i++) {
            append(tail, Integer.toString(i % 10));
        }
        assertThat(tail.text()).isEqualTo("0123456789");
    }

    @Test
    void aWriteLargerThanTheRingKeepsItsEnd() {
        OutputTail tail = new OutputTail(8);
        append(tail, "abc");
        append(tail, "0123456789ABCDEF");
        assertThat(tail.text()).isEqualTo("89ABCDEF");
        append(tail, "xy");
        assertThat(tail.text()).isEqualTo("ABCDEFxy");
    }

    @Test
    void aCharacterCutAtTheStartIsDropped() {
        OutputTail tail = new OutputTail(5);
        append(tail, "aé€b");   // a, é (2 bytes), € (3 bytes), b: the tail starts inside é
        assertThat(tail.text()).isEqualTo("€b");
    }

    @Test
    void invalidBytesAreReplacedNotFatal() {
        OutputTail tail = new OutputTail(8);
        tail.append(new byte[] {'o', 'k', (byte) 0xFF, '!'}, 0, 4);
        assertThat(tail.text()).isEqualTo("ok\uFFFD!");
    }
}
