package io.extensa.launchpad.process;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExitStatusTest {

    @Test
    void jvmExitValuesAbove128AreSignals() {
        assertThat(ExitStatus.fromJvmExitValue(137)).isEqualTo(ExitStatus.signalled(9));
        assertThat(ExitStatus.fromJvmExitValue(143)).isEqualTo(new ExitStatus(-1, 15, true));
    }

    @Test
    void ordinaryExitValuesAreExitCodes() {
        assertThat(ExitStatus.fromJvmExitValue(0)).isEqualTo(ExitStatus.exited(0));
        assertThat(ExitStatus.fromJvmExitValue(3)).isEqualTo(new ExitStatus(3, 0, true));
        assertThat(ExitStatus.fromJvmExitValue(128)).isEqualTo(ExitStatus.exited(128));
        assertThat(ExitStatus.fromJvmExitValue(255)).isEqualTo(ExitStatus.exited(255));
    }
}
