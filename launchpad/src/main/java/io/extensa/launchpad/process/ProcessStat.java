package io.extensa.launchpad.process;

/**
 * The fields of {@code /proc/<pid>/stat} the launchpad needs.
 *
 * @param startTime the process's start time in clock ticks since boot: together with the pid it
 *                  names one process for ever, so a recycled pid is never mistaken for it
 */
public record ProcessStat(long pid, char state, long parentPid, long sessionId, long startTime) {

    /** Zombies are dead: they hold only a pid until their parent reaps them. */
    public boolean dead() {
        return state == 'Z' || state == 'X' || state == 'x';
    }
}
