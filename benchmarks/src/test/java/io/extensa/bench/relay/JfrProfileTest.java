package io.extensa.bench.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrProfileTest {

    @Test
    void threadNumbersAreRemovedToGroupThreads() {
        assertThat(JfrProfile.threadGroup("pg-client-17")).isEqualTo("pg-client-*");
        assertThat(JfrProfile.threadGroup("pg-backend-3")).isEqualTo("pg-backend-*");
        assertThat(JfrProfile.threadGroup("main")).isEqualTo("main");
        assertThat(JfrProfile.threadGroup((String) null)).isEqualTo("(unknown)");
    }

    @Test
    void entriesAreSortedByCountThenNameAndCut() {
        assertThat(JfrProfile.sorted(Map.of("b", 5L, "a", 5L, "c", 9L, "d", 1L), 3))
                .extracting(JfrProfile.Entry::name).containsExactly("c", "a", "b");
    }

    @Test
    void aRecordingOfBusyJavaCodeIsSummarized(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("busy.jfr");
        JfrProfile.Summary summary;
        try (JfrProfile profile = JfrProfile.start()) {
            long until = System.nanoTime() + 1_000_000_000L;
            double sink = 0;
            while (System.nanoTime() < until) {
                sink += Math.sqrt(sink + 1);
            }
            assertThat(sink).isPositive();
            summary = profile.stopAndSummarize(file, 5);
        }
        assertThat(Files.size(file)).isPositive();
        JfrProfile.Tally tally = summary.best();
        assertThat(tally.samples()).isPositive();
        assertThat(tally.topFrames()).isNotEmpty().hasSizeLessThanOrEqualTo(5);
        assertThat(tally.byThreadGroup()).extracting(JfrProfile.Entry::name).contains("main");
        assertThat(tally.extensaFrames()).extracting(JfrProfile.Entry::name)
                .anyMatch(name -> name.contains("JfrProfileTest"));
    }
}
