package io.extensa.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void millisecondsKeepPrecisionThatMatters() {
        assertThat(Format.millis(0.0643)).isEqualTo("0.064");
        assertThat(Format.millis(12.34)).isEqualTo("12.3");
        assertThat(Format.millis(1864.4)).isEqualTo("1,864");
    }

    @Test
    void ratiosPercentagesAndCounts() {
        assertThat(Format.ratio(1.274)).isEqualTo("1.27×");
        assertThat(Format.percent(0.546)).isEqualTo("55%");
        assertThat(Format.count(2463252.4)).isEqualTo("2,463,252");
    }
}
