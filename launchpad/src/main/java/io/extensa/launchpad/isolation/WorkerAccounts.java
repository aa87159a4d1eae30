package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;

/**
 * Hands out the OS account each job runs as, exclusively for the job's lifetime where the
 * implementation has a pool of accounts.
 */
public interface WorkerAccounts {

    WorkerAccount acquire(String jobId) throws LaunchFailure;

    void release(WorkerAccount account);

    /** Who satellites run as, for STATUS and the log, e.g. "unprivileged". */
    String describe();
}
