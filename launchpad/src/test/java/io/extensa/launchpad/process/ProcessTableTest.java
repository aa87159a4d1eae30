package io.extensa.launchpad.process;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessTableTest {

    @Test
    void parsesACommandNameWithSpacesAndParentheses() {
        String line = "4242 (evil) S 1 2 3 (x) Z 7 4242 4242 0 -1 4194304 195 0 1 0 0 0 0 0 20 0 1 0 98765 2654208 396 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        ProcessStat stat = ProcessTable.parse(4242, line);
        assertThat(stat.state()).isEqualTo('Z');
        assertThat(stat.parentPid()).isEqualTo(7);
        assertThat(stat.sessionId()).isEqualTo(4242);
        assertThat(stat.startTime()).isEqualTo(98765);
        assertThat(stat.dead()).isTrue();
    }

    @Test
    void seesThisProcess() {
        long self = ProcessHandle.current().pid();
        ProcessStat stat = ProcessTable.stat(self);
        assertThat(stat).isNotNull();
        assertThat(stat.pid()).isEqualTo(self);
        assertThat(stat.dead()).isFalse();
        assertThat(ProcessTable.isRunning(self, stat.startTime())).isTrue();
        assertThat(ProcessTable.isRunning(self, stat.startTime() + 1)).as("another start time is another process")
                .isFalse();
        assertThat(ProcessTable.all()).extracting(ProcessStat::pid).contains(self);
    }

    @Test
    void aMissingProcessIsNull() {
        assertThat(ProcessTable.stat(Integer.MAX_VALUE)).isNull();
        assertThat(ProcessTable.startTime(Integer.MAX_VALUE)).isZero();
    }
}
