package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;

/**
 * Admission of jobs into resource pools. A job holds its {@link Admission} from before its
 * satellite starts until its process tree is gone; implementations that bound a pool may make
 * {@link #admit} wait in a queue or refuse with {@code busy}.
 */
public interface ResourcePools {

    Admission admit(String pool, String jobId) throws LaunchFailure;

    /** How pools are enforced, for the log. */
    String describe();

    /** A job's place in a pool; closing it gives the place back. Idempotent. */
    interface Admission extends AutoCloseable {
        @Override
        void close();
    }
}
