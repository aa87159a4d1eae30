package io.extensa.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

    private static final List<String> STATUS = List.of("Name:\tpython3", "State:\tS (sleeping)", "VmPeak:\t  912340 kB",
            "VmSize:\t  880000 kB", "VmHWM:\t  412000 kB", "VmRSS:\t  398765 kB", "Threads:\t4");

    @Test
    void readsResidentSetAndHighWaterMarkInKib() {
        assertThat(ProcessMemory.parse(STATUS)).contains(new ProcessMemory.Reading(398_765, 412_000));
        assertThat(ProcessMemory.field(STATUS, "VmPeak:")).hasValue(912_340);
    }

    @Test
    void kernelThreadsAndVanishedProcessesHaveNoReading() {
        assertThat(ProcessMemory.parse(List.of("Name:\tkthreadd", "State:\tS (sleeping)"))).isEmpty();
    }

    @Test
    void aHighWaterMarkBelowTheCurrentSetIsRaisedToIt() {
        assertThat(ProcessMemory.parse(List.of("VmHWM:\t 10 kB", "VmRSS:\t 12 kB")))
                .contains(new ProcessMemory.Reading(12, 12));
    }

    @Test
    void readsThisProcess() {
        assertThat(ProcessMemory.read(ProcessHandle.current().pid())).hasValueSatisfying(
                reading -> assertThat(reading.rssKib()).isPositive());
    }
}
