package io.extensa.launchpad.pools.cgroup;

/** The cgroup controllers resource pools use, by their kernel names. */
public enum Controller {
    /** memory limits and OOM kills (MAX_MEMORY_PERCENT) */
    MEMORY("memory"),
    /** CPU bandwidth quota (MAX_CPU_PERCENT) */
    CPU("cpu"),
    /** a bound on processes and threads per job (fork bombs) */
    PIDS("pids");

    private final String kernelName;

    Controller(String kernelName) {
        this.kernelName = kernelName;
    }

    public String kernelName() {
        return kernelName;
    }
}
