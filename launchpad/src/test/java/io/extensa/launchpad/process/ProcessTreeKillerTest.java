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
    void killMembersKillsMembersThatAppearDuringTheKill() throws Exception {
        Process first = new ProcessBuilder("sleep", "30").start();
        Process[] late = new Process[1];
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        try {
            // the way a cgroup lists a job: a member forked during the kill shows up in a later look,
            // and a killed member stays listed for a while as it dies (and as a zombie)
            boolean gone = killer.killMembers(() -> {
                int look = looks.incrementAndGet();
                java.util.List<Long> listed = new java.util.ArrayList<>();
                if (look <= 4) {
                    listed.add(first.pid());
                }
                if (look == 2) {
                    try {
                        late[0] = new ProcessBuilder("sleep", "31").start();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                if (late[0] != null && late[0].isAlive()) {
                    listed.add(late[0].pid());
                }
                return java.util.Optional.of(listed);
            }, first.pid(), 0);
            assertThat(gone).isTrue();
            assertThat(looks.get()).isGreaterThanOrEqualTo(2);
            assertThat(first.waitFor()).isEqualTo(137);
            assertThat(late[0].waitFor()).isEqualTo(137);
        } finally {
            first.destroyForcibly();
            if (late[0] != null) {
                late[0].destroyForcibly();
            }
        }
    }

    @Test
    void killMembersDoesNotWaitForAZombieToBeReaped() throws Exception {
        // after the exec the shell's child is never waited for: it stays a zombie, listed like one in a cgroup
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.01 & exec sleep 30").start();
        try {
            long zombie = awaitZombieChild(parent.pid());
            assertThat(killer.killMembers(() -> java.util.Optional.of(List.of(zombie)), zombie, 0)).isTrue();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static long awaitZombieChild(long parent) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            for (ProcessStat stat : ProcessTable.all()) {
                if (stat.parentPid() == parent && stat.dead()) {
                    return stat.pid();
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no zombie child of " + parent + " appeared");
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
