package io.extensa.bench.system;

/**
 * CPU time in clock ticks as the kernel accounts it in /proc: user mode and kernel mode kept apart,
 * because a relay spends much of its time in socket system calls.
 */
public record CpuTime(long userTicks, long systemTicks) {

    public static final CpuTime ZERO = new CpuTime(0, 0);

    public CpuTime plus(CpuTime other) {
        return new CpuTime(userTicks + other.userTicks, systemTicks + other.systemTicks);
    }

    public CpuTime minus(CpuTime other) {
        return new CpuTime(userTicks - other.userTicks, systemTicks - other.systemTicks);
    }

    public long totalTicks() {
        return userTicks + systemTicks;
    }

    public double totalMicros() {
        return totalTicks() * 1_000_000.0 / ProcFs.ticksPerSecond();
    }

    /** Kernel-mode share of the total, 0 when nothing was spent. */
    public double systemShare() {
        long total = totalTicks();
        return total == 0 ? 0 : (double) systemTicks / total;
    }
}
