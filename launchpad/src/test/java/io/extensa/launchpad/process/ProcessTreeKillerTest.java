package io.extensa.launchpad.process;

import io.extensa.launchpad.testing.Processes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessTreeKillerTest {

    private final ProcessTreeKiller killer = new ProcessTreeKiller(Duration.ofSeconds(1));

    @Test
    void refusesToKillInitOrItself() {
        assertThat(killer.killTree(1, 0)).isFalse();
        assertThat(killer.killTree(ProcessHandle.current().pid(), 0)).isFalse();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aRecycledPidIsLeftAlone() throws Exception {
        Process bystander = new ProcessBuilder("/usr/bin/setsid", "sleep", "30").start();
        try {
            long startTime = ProcessTable.startTime(bystander.pid());
            assertThat(killer.killTree(bystander.pid(), startTime - 1)).isTrue();
            assertThat(bystander.isAlive()).isTrue();
            assertThat(killer.killTree(bystander.pid(), startTime)).isTrue();
            assertThat(bystander.waitFor()).isEqualTo(137);
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void killsTheSessionEvenAfterItsLeaderIsGone() throws Exception {
        Process leader = new ProcessBuilder("/usr/bin/setsid", "sh", "-c", "(sleep 30 &) ; (sleep 31 &) ; exit 0")
                .start();
        long sid = leader.pid();
        assertThat(leader.waitFor()).isZero();
        List<Long> orphans = Processes.awaitSessionSize(sid, 2, Duration.ofSeconds(10));
        assertThat(orphans).hasSize(2);
        assertThat(killer.killTree(sid, 0)).isTrue();
        assertThat(Processes.alive(orphans)).isEmpty();
    }

    @Test
    void killSessionSparesChildrenInSessionsOfTheirOwn() throws Exception {
        Process parent = new ProcessBuilder("/usr/bin/setsid", "sh", "-c", "setsid sleep 32 & sleep 33 & wait").start();
        try {
            List<Long> members = Processes.awaitSessionSize(parent.pid(), 2, Duration.ofSeconds(10));
            assertThat(members).hasSize(2);
            Thread.sleep(100);
            List<Long> escaped = ProcessTable.all().stream()
                    .filter(p -> p.parentPid() == parent.pid() && p.sessionId() != parent.pid())
                    .map(ProcessStat::pid).toList();
            assertThat(escaped).hasSize(1);
            assertThat(killer.killSession(parent.pid(), ProcessTable.startTime(parent.pid()))).isTrue();
            assertThat(Processes.alive(members)).isEmpty();
            assertThat(Processes.alive(escaped)).as("a child in its own session survives").hasSize(1);
            escaped.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        } finally {
            parent.destroyForcibly();
        }
    }
}
