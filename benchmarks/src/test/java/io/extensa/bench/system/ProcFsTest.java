package io.extensa.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFsTest {

    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    private static final String STAT = "4242 (postgres: extensa (idle)) S 1 4242 4242 0 -1 4194304 4851 802926 0 58 "
            + "120 35 1274 507 20 0 1 0 288314 222412800 7285";

    @Test
    void fieldsAreReadAfterTheLastParenthesisSoAnyCommandNameWorks() {
        assertThat(ProcFs.statFields(STAT)[0]).isEqualTo("S");
        assertThat(ProcFs.ownTime(STAT)).isEqualTo(new CpuTime(120, 35));
        assertThat(ProcFs.reapedChildrenTime(STAT)).isEqualTo(new CpuTime(1274, 507));
        assertThat(ProcFs.exited(STAT)).isFalse();
    }

    @Test
    void zombiesAndDeadProcessesCountAsExited() {
        assertThat(ProcFs.exited(STAT.replace(")) S ", ")) Z "))).isTrue();
        assertThat(ProcFs.exited(STAT.replace(")) S ", ")) X "))).isTrue();
    }

    @Test
    void machineTimeIsUserNiceAndSystemOnly() {
        List<String> procStat = List.of("cpu  248979 5 72326 448960 1578 11 2947 56 0 0", "cpu0 1 2 3 4 5 6 7 8 0 0");
        assertThat(ProcFs.machineBusy(procStat)).isEqualTo(new CpuTime(248984, 72326));
    }

    @Test
    void thisProcessUsesCpuAndAGoneProcessUsesNone() {
        assertThat(ProcFs.processTime(ProcessHandle.current().pid()).totalTicks()).isPositive();
        assertThat(ProcFs.processTime(Integer.MAX_VALUE)).isEqualTo(CpuTime.ZERO);
        assertThat(ProcFs.treeTime(Integer.MAX_VALUE, Duration.ofSeconds(1))).isEqualTo(CpuTime.ZERO);
    }

    @Test
    void aTreeCountsItsChildrenAfterTheyAreReaped() throws Exception {
        long self = ProcessHandle.current().pid();
        CpuTime before = ProcFs.treeTime(self);
        // A child that burns a little CPU, then is waited for: its time moves into our reaped total.
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").start();
        child.waitFor();
        CpuTime after = ProcFs.treeTime(self);
        assertThat(ProcFs.reapedChildren(self).totalTicks()).isPositive();
        assertThat(after.totalTicks()).isGreaterThan(before.totalTicks());
    }

    @Test
    void contextSwitchesAddVoluntaryAndInvoluntary() {
        assertThat(ProcFs.contextSwitches(List.of("Name:\tjava", "voluntary_ctxt_switches:\t120",
                "nonvoluntary_ctxt_switches:\t7"))).isEqualTo(127);
        assertThat(ProcFs.contextSwitches(ProcessHandle.current().pid())).isPositive();
        assertThat(ProcFs.contextSwitches(Integer.MAX_VALUE)).isZero();
    }

    @Test
    void cpuTimeArithmeticAndShares() {
        CpuTime time = new CpuTime(30, 70).plus(new CpuTime(10, 10)).minus(new CpuTime(20, 0));
        assertThat(time).isEqualTo(new CpuTime(20, 80));
        assertThat(time.systemShare()).isEqualTo(0.8);
        assertThat(CpuTime.ZERO.systemShare()).isZero();
        assertThat(new CpuTime(ProcFs.ticksPerSecond(), 0).totalMicros()).isEqualTo(1_000_000.0);
    }
}
