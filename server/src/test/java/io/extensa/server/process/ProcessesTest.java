package io.extensa.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessesTest {

    @Test
    void seesAndEndsAProcessByPid() throws IOException, InterruptedException {
        Process sleeper = new ProcessBuilder("sleep", "3600").start();
        long pid = sleeper.pid();

        assertThat(Processes.isAlive(pid)).isTrue();
        assertThat(Processes.commandLine(pid)).contains("sleep 3600");
        assertThat(Processes.find(line -> line.equals("sleep 3600"))).contains(pid);

        assertThat(Processes.terminate(pid, Duration.ofSeconds(5))).isTrue();
        sleeper.waitFor();
        assertThat(Processes.isAlive(pid)).isFalse();
        assertThat(Processes.commandLine(pid)).isEmpty();
    }

    @Test
    void killsWhatIgnoresSigterm() throws IOException, InterruptedException {
        Process stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done").start();
        assertThat(new String(stubborn.getInputStream().readNBytes(6))).isEqualTo("ready\n");

        assertThat(Processes.terminate(stubborn.pid(), Duration.ofMillis(500))).isFalse();
        stubborn.waitFor();
        assertThat(Processes.isAlive(stubborn.pid())).isFalse();
        stubborn.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void unknownPidsAreNotAlive() {
        assertThat(Processes.isAlive(-1)).isFalse();
        assertThat(Processes.isAlive(Integer.MAX_VALUE)).isFalse();
        assertThat(Processes.terminate(Integer.MAX_VALUE, Duration.ofMillis(10))).isTrue();
    }

    @Test
    void currentAccountIsKnown() {
        OsAccount me = OsAccount.current();

        assertThat(me.isCurrent()).isTrue();
        assertThat(me.wrap(java.util.List.of("true"))).containsExactly("true");
        assertThat(OsAccount.currentIsRoot()).isEqualTo(me.uid() == 0);
    }
}
