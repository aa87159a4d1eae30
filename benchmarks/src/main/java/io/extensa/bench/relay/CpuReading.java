package io.extensa.bench.relay;

import io.extensa.bench.system.CpuTime;
import io.extensa.bench.system.ProcFs;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Counters read just before and just after one pgbench run; their difference is what the run cost
 * each party. This JVM is the gateway (the harness only waits for pgbench meanwhile), and the
 * pgbench process is the one child it reaps in between, so this JVM's reaped-children time is
 * pgbench's CPU.
 */
record CpuReading(long nanos, CpuTime gatewayJvm, CpuTime pgbench, CpuTime pgbouncer, CpuTime postgres,
        CpuTime machine, long allocatedBytes, long gcCount, long gcMillis) {

    private static final long SELF = ProcessHandle.current().pid();

    static CpuReading take(long postgresPid, long pgbouncerPid) {
        long allocated = totalAllocatedBytes();
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(collector.getCollectionCount(), 0);
            gcMillis += Math.max(collector.getCollectionTime(), 0);
        }
        return new CpuReading(System.nanoTime(), ProcFs.processTime(SELF), ProcFs.reapedChildren(SELF),
                pgbouncerPid > 0 ? ProcFs.processTime(pgbouncerPid) : CpuTime.ZERO, ProcFs.treeTime(postgresPid),
                ProcFs.machineBusy(), allocated, gcCount, gcMillis);
    }

    private static long totalAllocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** What happened between {@code before} and this reading. */
    RunCost since(CpuReading before) {
        CpuTime machineBusy = machine.minus(before.machine);
        CpuTime ours = gatewayJvm.minus(before.gatewayJvm).plus(pgbench.minus(before.pgbench))
                .plus(pgbouncer.minus(before.pgbouncer)).plus(postgres.minus(before.postgres));
        long allocated = allocatedBytes < 0 || before.allocatedBytes < 0 ? -1 : allocatedBytes - before.allocatedBytes;
        return new RunCost((nanos - before.nanos) / 1e9, gatewayJvm.minus(before.gatewayJvm),
                pgbench.minus(before.pgbench), pgbouncer.minus(before.pgbouncer), postgres.minus(before.postgres),
                machineBusy, Math.max(machineBusy.totalMicros() - ours.totalMicros(), 0), allocated,
                gcCount - before.gcCount, gcMillis - before.gcMillis);
    }

    /**
     * CPU spent during one run.
     *
     * @param othersMicros busy machine time not spent by the gateway JVM, pgbench, PgBouncer or
     *                     PostgreSQL: other processes competing for the same cores
     */
    record RunCost(double seconds, CpuTime gatewayJvm, CpuTime pgbench, CpuTime pgbouncer, CpuTime postgres,
            CpuTime machine, double othersMicros, long allocatedBytes, long gcCount, long gcMillis) {

        /** Share of the whole machine (all cores) that other processes used during the run. */
        double othersShareOfMachine() {
            return othersMicros / 1e6 / seconds / Runtime.getRuntime().availableProcessors();
        }
    }
}
