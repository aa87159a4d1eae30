package io.extensa.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertThat(Samples.of(5, 1, 3).median()).isEqualTo(3);
    }

    @Test
    void medianOfAnEvenCountIsTheLowerMiddleObservedValue() {
        assertThat(Samples.of(4, 1, 3, 2).median()).isEqualTo(2);
    }

    @Test
    void percentilesUseNearestRank() {
        Samples samples = new Samples();
        for (int i = 1; i <= 200; i++) {
            samples.add(i);
        }
        assertThat(samples.percentile(99)).isEqualTo(198);
        assertThat(samples.percentile(100)).isEqualTo(200);
        assertThat(samples.percentile(0.1)).isEqualTo(1);
        assertThat(samples.min()).isEqualTo(1);
        assertThat(samples.max()).isEqualTo(200);
        assertThat(samples.mean()).isEqualTo(100.5);
    }

    @Test
    void aSingleSampleIsEveryStatistic() {
        Samples one = Samples.of(7.5);
        assertThat(one.median()).isEqualTo(7.5);
        assertThat(one.percentile(99)).isEqualTo(7.5);
        assertThat(one.count()).isEqualTo(1);
    }

    @Test
    void noSamplesIsAnErrorNotAZero() {
        assertThatThrownBy(() -> new Samples().median()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nanAndOutOfRangePercentilesAreRefused() {
        assertThatThrownBy(() -> new Samples().add(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Samples.of(1).percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Samples.of(1).percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }
}
