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
}
