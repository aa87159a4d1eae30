package io.extensa.engine.script.parallelread;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadDecisionTest {

    private static final ReadDecision.Parallel READ = new ReadDecision.Parallel("my schema", "T\"1",
            List.of("i", "Mixed Case"), 1000, "analyst", "UTF8", "0", false);

    @Test
    void rangesCoverEveryBlockOnceWithOpenEnds() {
        assertThat(READ.boundaries(3)).containsExactly(-1, 333, 666, -1);
        assertThat(READ.boundaries(2)).containsExactly(-1, 500, -1);
    }

    @Test
    void rangeQueriesQuoteEveryName() {
        assertThat(READ.rangeQuery(-1, 500)).isEqualTo(
                "SELECT \"i\", \"Mixed Case\" FROM ONLY \"my schema\".\"T\"\"1\" WHERE ctid < '(500,0)'::tid");
        assertThat(READ.rangeQuery(500, -1)).endsWith(" WHERE ctid >= '(500,0)'::tid");
        assertThat(READ.rangeQuery(1, 2)).endsWith(" WHERE ctid >= '(1,0)'::tid AND ctid < '(2,0)'::tid");
    }
}
