package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksTest {

    private static final double[] EXPECTED = {0.5, 0.25, 0.125};

    @Test
    void meansMayComeAsColumnsOrAsOneArray() throws Exception {
        Checks.means(EXPECTED).verify(new JdbcVariant.Outcome(List.of(0.5, new BigDecimal("0.25"), "0.125"), 1, -1));
        Checks.means(EXPECTED).verify(new JdbcVariant.Outcome(List.of(List.of(0.5, 0.25, 0.125)), 1, -1));
    }

    @Test
    void meansWithinOnePartPerMillionPass() {
        assertThatCode(() -> Checks.means(EXPECTED, List.of(0.5000001, 0.25, 0.125))).doesNotThrowAnyException();
        assertThatThrownBy(() -> Checks.means(EXPECTED, List.of(0.501, 0.25, 0.125))).hasMessageContaining("mean 0");
        assertThatThrownBy(() -> Checks.means(EXPECTED, List.of(0.5, 0.25))).hasMessageContaining("expected 3 means");
    }

    @Test
    void theFirstValueMatchesAsANumberWhateverItsType() throws Exception {
        Checks.firstValueIs(1).verify(new JdbcVariant.Outcome(List.of(1), 1, -1));
        Checks.firstValueIs(1).verify(new JdbcVariant.Outcome(List.of(1L), 1, -1));
        Checks.firstValueIs(1).verify(new JdbcVariant.Outcome(List.of(1.0), 1, -1));
        assertThatThrownBy(() -> Checks.firstValueIs(1).verify(new JdbcVariant.Outcome(List.of("one"), 1, -1)))
                .hasMessageContaining("expected 1");
        assertThatThrownBy(() -> Checks.firstValueIs(1).verify(new JdbcVariant.Outcome(List.of(), 0, -1)))
                .hasMessageContaining("expected 1");
        assertThat(Checks.numbers(List.of(List.of(1, 2L), 3.5f))).containsExactly(1.0, 2.0, 3.5);
    }

    @Test
    void partitionModelsNeedEveryKeyOnceAndAFirstRowCloseToTheModel() throws Exception {
        var check = Checks.partitionModels(3, 0.001, new double[] {2, -3}, 0.01);
        // keys 0, 1, 2 sum to 3; key 2's intercept is 0.002
        check.verify(new JdbcVariant.Outcome(List.of(2L, 0.0021, 1.999, -3.001), 3, -1, 3, List.of()));
        check.verify(new JdbcVariant.Outcome(List.of(2, List.of(0.0021, 1.999, -3.001)), 3, -1, 3, List.of()));
        assertThatThrownBy(() -> check.verify(new JdbcVariant.Outcome(List.of(2L, 0.002, 2.0, -3.0), 3, -1, 4,
                List.of()))).hasMessageContaining("keys summing to 3");
        assertThatThrownBy(() -> check.verify(new JdbcVariant.Outcome(List.of(2L, 0.002, 2.0, -3.0), 2, -1, 3,
                List.of()))).hasMessageContaining("expected 3 rows");
        assertThatThrownBy(() -> check.verify(new JdbcVariant.Outcome(List.of(2L, 0.002, 2.5, -3.0), 3, -1, 3,
                List.of()))).hasMessageContaining("partition 2: value 2");
        assertThatThrownBy(() -> check.verify(new JdbcVariant.Outcome(List.of(2L, 0.002), 3, -1, 3, List.of())))
                .hasMessageContaining("coefficients");
    }

    @Test
    void countsMustAddUpInTheExpectedNumberOfRows() throws Exception {
        Checks.countsAddUpTo(250, 3).verify(new JdbcVariant.Outcome(List.of(100L), 3, -1, 250, List.of()));
        Checks.countsAddUpTo(250, -1).verify(new JdbcVariant.Outcome(List.of(125L), 2, -1, 250, List.of()));
        assertThatThrownBy(() -> Checks.countsAddUpTo(250, 3).verify(new JdbcVariant.Outcome(List.of(125L), 2, -1, 250,
                List.of()))).hasMessageContaining("in 3 rows");
        assertThatThrownBy(() -> Checks.countsAddUpTo(250, -1).verify(new JdbcVariant.Outcome(List.of(125L), 2, -1, 249,
                List.of()))).hasMessageContaining("got 249 in 2 rows");
    }
}
