package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchedJob;
import java.io.IOException;
import java.time.Duration;

/**
 * The engine's side of resource pools for one call: waiting (cancellably) while the request
 * queues for a slot in its pool, the caller's statement_timeout, and the error for a satellite
 * the kernel killed at its pool's memory limit.
 */
final class PoolAdmission {

    /**
     * The launchpad bounds the queue wait itself (launchpad.queue_timeout_ms, at most a day); this
     * only guards against a launchpad that stopped answering altogether.
     */
    private static final Duration LONGEST_QUEUE_WAIT = Duration.ofDays(1);

    private PoolAdmission() {
    }

    /** Waits for the LAUNCHED of a LAUNCH already sent; a CancelRequest meanwhile withdraws the request. */
    static LaunchedJob await(EngineServices services, ExecutionContext ctx, LaunchedJob job)
            throws IOException, PgException {
        return await(services, ctx, job, false);
    }

    /** Waits for the ACTIVATED of a standby job's ACTIVATE already sent; a CancelRequest meanwhile ends the job. */
    static LaunchedJob awaitActivated(EngineServices services, ExecutionContext ctx, LaunchedJob job)
            throws IOException, PgException {
        return await(services, ctx, job, true);
    }

    private static LaunchedJob await(EngineServices services, ExecutionContext ctx, LaunchedJob job, boolean activation)
            throws IOException, PgException {
        AutoCloseable withdraw = ctx.cancellation().onCancel(job::close);
        try {
            Duration longest = LONGEST_QUEUE_WAIT.plus(services.launchpad().replyTimeout());
            if (activation) {
                job.awaitActivated(longest);
            } else {
                job.awaitLaunched(longest);
            }
        } catch (IOException e) {
            ctx.cancellation().throwIfCancelled();
            throw e;
        } finally {
            try {
                withdraw.close();
            } catch (Exception ignored) {
                // unregistering cannot fail in a way that matters here
            }
        }
        if (ctx.cancellation().isCancelled()) {
            job.close();
            ctx.cancellation().throwIfCancelled();
        }
        return job;
    }

    /** 53200, naming the pool and its limit. */
    static PgException memoryKilled(String language, long pid, String pool, Exited exit) {
        long limit = exit.memoryLimitBytes();
        String size = limit >= 1 << 20 ? (limit >> 20) + " MB" : limit + " bytes";
        return new PgException(SqlState.OUT_OF_MEMORY, "the '" + language + "' runtime (pid " + pid
                + ") was killed: its scripts exceeded the memory limit of external resource pool \"" + pool + "\" ("
                + size + ")")
                .withHint("raise MAX_MEMORY_PERCENT of the pool (ALTER EXTERNAL RESOURCE POOL, then ALTER RESOURCE"
                        + " GOVERNOR RECONFIGURE), or process the data in smaller parts");
    }
}
