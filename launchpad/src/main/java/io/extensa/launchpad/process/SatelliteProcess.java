package io.extensa.launchpad.process;

import java.util.concurrent.CompletableFuture;

/** A started satellite, however it was started (a fresh exec or a fork server's child). */
public interface SatelliteProcess {

    long pid();

    /** The start time from {@code /proc/<pid>/stat}, 0 when the process was gone before it could be read. */
    long startTime();

    /** True when a fork server forked it. */
    boolean warm();

    /** Completes when the process has ended and been reaped. */
    CompletableFuture<ExitStatus> exit();

    /**
     * The last bytes the process wrote to its stdout and stderr. Call after {@link #exit()}
     * completed; waits briefly for output still in flight.
     */
    String outputTail();

    /** Frees what the process held on the launchpad's side (pipes, output files). */
    void release();
}
