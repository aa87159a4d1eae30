package io.extensa.engine.script;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HashedPartitionsTest {

    @Test
    void theEstimateIsTheTopNodesRowsTimesItsWidth() {
        String explain = """
                [{"Plan": {"Node Type": "Sort", "Startup Cost": 1.0, "Total Cost": 2.0, "Plan Rows": 1000000,
                  "Plan Width": 36, "Plans": [{"Node Type": "Seq Scan", "Plan Rows": 5, "Plan Width": 8}]}}]""";
        assertThat(HashedPartitions.estimateBytes(explain)).isEqualTo(36_000_000d);
    }

    @Test
    void noEstimateIsNegative() {
        assertThat(HashedPartitions.estimateBytes(null)).isNegative();
        assertThat(HashedPartitions.estimateBytes("[{\"Plan\": {}}]")).isNegative();
    }
}
