package io.extensa.launchpad.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Kills a satellite and everything it started. Every satellite leads its own session, so the
 * tree is: the leader, its descendants by parent link, and every process whose session id is
 * the leader's pid (which catches double-forked orphans that were re-parented away). The scan
 * repeats until nothing is left, so processes forked during the kill die too.
 *
 * <p>Recycled pids are never hit: the leader is only killed when its start time matches, and the
 * session is only swept when no other process now owns the leader's pid. (Linux keeps a pid
 * number allocated while any process still uses it as session id, so a session that outlives
 * its leader cannot be confused with a new one.)
 */
public final class ProcessTreeKiller {

    private static final Logger log = LoggerFactory.getLogger(ProcessTreeKiller.class);

    private final Duration deadline;
    private final long ownPid = ProcessHandle.current().pid();
    private final long ownSession;

    public ProcessTreeKiller(Duration deadline) {
        this.deadline = deadline;
        ProcessStat self = ProcessTable.stat(ownPid);
        this.ownSession = self == null ? -1 : self.sessionId();
    }

    /**
     * Sends SIGKILL to the tree of {@code leaderPid} until none of it runs.
     *
     * @param leaderStartTime the leader's start time when it was started, or 0 when unknown
     * @return true when nothing of the tree is left; false when processes survived the deadline
     */
    public boolean killTree(long leaderPid, long leaderStartTime) {
        return kill(leaderPid, leaderStartTime, true);
    }

    /**
     * Kills a job whose processes are listed exactly by {@code members} (its leaf cgroup), without
     * searching the whole process table, which costs milliseconds of kernel time per search on a
     * busy machine; falls back to {@link #killTree} when the list is not available.
     *
     * <p>Each listed process gets SIGKILL once; the list is read again until it names no process
     * that has not had it (one forked before its parent got the signal). Then every process of the
     * job has a SIGKILL pending and never runs another instruction of its own, so this does not
     * wait for them to vanish: a large interpreter takes milliseconds to unmap its memory, and a
     * zombie stays listed until its reaper (an init, for a sandbox's orphans) gets round to it.
     * Polling the list and every member's /proc entry for that long was most of the launchpad's
     * kernel time per job. The job's cgroup is removed (which does wait) when the job ends.
     *
     * @return false when processes kept appearing until the deadline
     */
    public boolean killMembers(java.util.function.Supplier<java.util.Optional<List<Long>>> members, long leaderPid,
                               long leaderStartTime) {
        long giveUp = System.nanoTime() + deadline.toNanos();
        java.util.Set<Long> signalled = new java.util.HashSet<>();
        signalled.add(ownPid);
        while (true) {
            java.util.Optional<List<Long>> listed = members.get();
            if (listed.isEmpty()) {
                return killTree(leaderPid, leaderStartTime);
            }
            List<Long> fresh = new ArrayList<>(listed.get());
            fresh.removeAll(signalled);
            if (fresh.isEmpty()) {
                return true;
            }
            if (System.nanoTime() - giveUp > 0) {
                log.error("processes {} of the job of pid {} kept appearing for {} ms of killing", fresh, leaderPid,
                        deadline.toMillis());
                return false;
            }
            boolean sent = false;
            for (long pid : fresh) {
                // a listed process that cannot be looked up yet (just forked, or exiting) is tried again on
                // the next read rather than counted as signalled: only a process that got SIGKILL is done
                java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid);
                if (process.isPresent()) {
                    process.get().destroyForcibly();
                    signalled.add(pid);
                    sent = true;
                }
            }
            if (!sent) {
                sleepBriefly();
            }
        }
    }

    /**
     * Sends SIGKILL once more to every process {@code members} lists, for a job whose tree was killed
     * before its satellite's end was seen: a process whose fork was under way when its parent got
     * SIGKILL may have joined the list after the last read of {@link #killMembers}.
     *
     * @return the processes signalled
     */
    public int sweepMembers(java.util.function.Supplier<java.util.Optional<List<Long>>> members) {
        int signalled = 0;
        for (long pid : members.get().orElse(List.of())) {
            if (pid != ownPid && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                signalled++;
            }
        }
        return signalled;
    }

    /**
     * Like {@link #killTree} but spares descendants that moved to sessions of their own: for a
     * fork server, whose children are jobs that outlive it.
     */
    public boolean killSession(long leaderPid, long leaderStartTime) {
        return kill(leaderPid, leaderStartTime, false);
    }

    private boolean kill(long leaderPid, long leaderStartTime, boolean withDescendants) {
        if (leaderPid <= 1 || leaderPid == ownPid || leaderPid == ownSession) {
            log.error("refusing to kill the process tree of pid {}: it is init or the launchpad itself", leaderPid);
            return false;
        }
        long giveUp = System.nanoTime() + deadline.toNanos();
        int rounds = 0;
        while (true) {
            List<Long> victims = victims(leaderPid, leaderStartTime, withDescendants);
            if (victims.isEmpty()) {
                if (rounds > 1) {
                    log.debug("process tree of {} gone after {} rounds", leaderPid, rounds);
                }
                return true;
            }
            if (System.nanoTime() - giveUp > 0) {
                log.error("processes {} of the tree of pid {} survived SIGKILL for {} ms", victims, leaderPid,
                        deadline.toMillis());
                return false;
            }
            log.debug("killing {} (tree of {})", victims, leaderPid);
            for (long pid : victims) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            rounds++;
            if (rounds > 1) {
                sleepBriefly();
            }
        }
    }

    private List<Long> victims(long leaderPid, long leaderStartTime, boolean withDescendants) {
        List<ProcessStat> table = ProcessTable.all();
        Map<Long, List<ProcessStat>> children = new HashMap<>();
        ProcessStat leader = null;
        for (ProcessStat stat : table) {
            children.computeIfAbsent(stat.parentPid(), p -> new ArrayList<>()).add(stat);
            if (stat.pid() == leaderPid) {
                leader = stat;
            }
        }
        if (leader != null && leaderStartTime != 0 && leader.startTime() != leaderStartTime) {
            // the pid now belongs to another process, so neither it nor its session is ours
            return List.of();
        }
        TreeSet<Long> victims = new TreeSet<>();
        if (leader != null) {
            Deque<ProcessStat> pending = new ArrayDeque<>();
            pending.add(leader);
            while (!pending.isEmpty()) {
                ProcessStat process = pending.pop();
                if (!process.dead() && (withDescendants || process == leader)) {
                    victims.add(process.pid());
                }
                pending.addAll(children.getOrDefault(process.pid(), List.of()));
            }
        }
        for (ProcessStat stat : table) {
            if (stat.sessionId() == leaderPid && !stat.dead()) {
                victims.add(stat.pid());
            }
        }
        victims.remove(ownPid);
        return new ArrayList<>(victims);
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
