package io.extensa.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PeakTrackerTest {

    @Test
    void tracksTheLargestProcessAndTheLargestSimultaneousTotal() {
        var tracker = new PeakTracker();
        tracker.sample(Map.of(1L, new ProcessMemory.Reading(100, 100), 2L, new ProcessMemory.Reading(50, 60)));
        tracker.sample(Map.of(1L, new ProcessMemory.Reading(30, 120), 3L, new ProcessMemory.Reading(40, 40)));
        assertThat(tracker.processes()).isEqualTo(3);
        // process 1's high-water mark (120) counts though no sample saw it
        assertThat(tracker.largestKib()).isEqualTo(120);
        // 100 + 50 at the first sample; 30 + 40 at the second
        assertThat(tracker.totalKib()).isEqualTo(150);
    }

    @Test
    void theTotalIsNeverBelowTheLargestSinglePeak() {
        var tracker = new PeakTracker();
        tracker.sample(Map.of(1L, new ProcessMemory.Reading(10, 500)));
        assertThat(tracker.totalKib()).isEqualTo(500);
    }

    @Test
    void nothingSeenIsZero() {
        var tracker = new PeakTracker();
        tracker.sample(Map.of());
        assertThat(tracker.processes()).isZero();
        assertThat(tracker.largestKib()).isZero();
        assertThat(tracker.totalKib()).isZero();
    }
}
