package io.extensa.launchpad.testing;

import io.extensa.launchpad.process.ProcessStat;
import io.extensa.launchpad.process.ProcessTable;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Looks at real processes for assertions: who is in a session, and waiting until they are gone. */
public final class Processes {

    private Processes() {
    }

    /** Live (non-zombie) processes whose session id is {@code sessionId}. */
    public static List<Long> liveSessionMembers(long sessionId) {
        return ProcessTable.all().stream()
                .filter(p -> p.sessionId() == sessionId && !p.dead())
                .map(ProcessStat::pid)
                .toList();
    }

    /** Those of {@code pids} still alive (zombies count as dead). */
    public static List<Long> alive(Collection<Long> pids) {
        return pids.stream().filter(pid -> {
            ProcessStat stat = ProcessTable.stat(pid);
            return stat != null && !stat.dead();
        }).toList();
    }

    /**
     * Polls until none of {@code pids} is alive; returns those still alive at the deadline. The
     * deadline is generous: tests check that processes go, not how fast.
     */
    public static List<Long> awaitGone(Collection<Long> pids, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        List<Long> left = alive(pids);
        while (!left.isEmpty() && System.nanoTime() - end < 0) {
            Thread.sleep(10);
            left = alive(pids);
        }
        return left;
    }

    /**
     * Polls until the session has no live member; returns those still alive at the deadline. A
     * killed job's processes have SIGKILL pending when EXITED comes, and vanishing takes a moment.
     */
    public static List<Long> awaitSessionEmpty(long sessionId, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        List<Long> members = liveSessionMembers(sessionId);
        while (!members.isEmpty() && System.nanoTime() - end < 0) {
            Thread.sleep(10);
            members = liveSessionMembers(sessionId);
        }
        return members;
    }

    /** Polls until the session has at least {@code count} live members. */
    public static List<Long> awaitSessionSize(long sessionId, int count, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        List<Long> members = liveSessionMembers(sessionId);
        while (members.size() < count && System.nanoTime() - end < 0) {
            Thread.sleep(10);
            members = liveSessionMembers(sessionId);
        }
        return members;
    }
}
