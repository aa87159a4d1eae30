package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LargeDataTest {

    @Test
    void sizedTablesCarryTheirRowCountSoQuickAndFullRunsDoNotMix() {
        assertThat(LargeData.streamTable(20_000_000)).isEqualTo("bench_stream_20000000");
        assertThat(LargeData.inputTable(500_000)).isEqualTo("bench_input_500000");
        assertThatThrownBy(() -> LargeData.sizedName("bench_input", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
