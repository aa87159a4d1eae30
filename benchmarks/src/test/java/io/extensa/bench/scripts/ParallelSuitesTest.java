package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.extensa.bench.Samples;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParallelSuitesTest {

    @Test
    void partitionCallsDifferOnlyInParallel() {
        String serial = PartitionsSuite.extensaSql(false);
        String parallel = PartitionsSuite.extensaSql(true);
        assertThat(serial).endsWith(", @parallel = 0, @input_data_1_partition_by_columns = N'(k)'");
        assertThat(parallel).isEqualTo(serial.replace("@parallel = 0", "@parallel = 1"));
        assertThat(serial).startsWith("EXEC sp_execute_external_script @language = N'Python'")
                .contains("@input_data_1 = N'SELECT k, x1, x2, x3, y FROM bench_parts'");
    }

    @Test
    void ratiosAreOfMediansAndOnlyOfMeasuredVariants() {
        List<VariantResult> results = List.of(result("a", 10, 30, 20), result("b", 5, 4, 6),
                new VariantResult(Variant.pending("c", Side.PEER, "direct", "", "not available"), new Samples(),
                        Optional.of("not available")));
        assertThat(PartitionsSuite.ratio(results, "a", "b")).hasValueSatisfying(r -> assertThat(r).isEqualTo(4.0));
        assertThat(PartitionsSuite.ratio(results, "c", "b")).isEmpty();
        assertThat(PartitionsSuite.ratio(results, "a", "missing")).isEmpty();
    }

    @Test
    void streamingCallsStoreTheScoresAndOnlyTheStreamedOneReadsInChunks() {
        String streamed = StreamingSuite.extensaSql("bench_stream_100", true);
        String whole = StreamingSuite.extensaSql("bench_stream_100", false);
        assertThat(streamed).startsWith("INSERT INTO bench_scores EXEC sp_execute_external_script")
                .endsWith(", @r_rowsPerRead = 100000");
        assertThat(whole).doesNotContain("@r_rowsPerRead").contains("FROM bench_stream_100");
    }

    @Test
    void memoryIsReportedInMebibytes() {
        assertThat(StreamingSuite.mib(512L * 1024 * 1024)).isEqualTo("512");
        assertThat(StreamingSuite.mib(3L * 1024 * 1024 * 1024)).isEqualTo("3,072");
    }

    @Test
    void chunksRoundUp() {
        assertThat(InputSuite.chunks(10_000_000, 100_000)).isEqualTo(100);
        assertThat(InputSuite.chunks(500_001, 100_000)).isEqualTo(6);
        assertThat(InputSuite.chunks(1, 100_000)).isEqualTo(1);
    }

    private static VariantResult result(String label, double... millis) {
        return new VariantResult(Variant.pending(label, Side.EXTENSA, "gateway", "", "unused"), Samples.of(millis),
                Optional.empty());
    }
}
