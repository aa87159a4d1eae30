package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchRequest;

import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Admission of jobs into resource pools. A job holds its {@link Admission} from before its
 * satellite starts until its process tree is gone; implementations that bound a pool may make
 * {@link #admit} wait in a queue, or refuse.
 */
public interface ResourcePools {

    /**
     * A standby request ({@link LaunchRequest#standby()}) is checked against its pool but takes no
     * slot: it gets one at {@link Admission#claimSlot}, before its satellite gets any user code.
     *
     * @param abandoned polled while the request waits for a slot: true when the engine gave up
     *                  (closed the connection), which ends the wait with {@code bad_request}
     */
    Admission admit(LaunchRequest request, BooleanSupplier abandoned) throws LaunchFailure;

    /** How pools are enforced, for the log and STATUS. */
    String describe();

    /** A job's place in a pool; closing it gives the place back. Idempotent. */
    interface Admission extends AutoCloseable {

        /**
         * Puts the satellite, and any process it has started already, under the pool's limits.
         * The launch path calls it exactly once, after the satellite process exists and before
         * LAUNCHED is sent, so before the engine hands the satellite any user code; children the
         * satellite (or a sandbox wrapper) starts later inherit the placement.
         */
        default void place(long pid) throws LaunchFailure {
        }

        /**
         * Takes the slot a standby admission left out, waiting in the pool's queue like a launch
         * (at most {@code wait}, capped by the launchpad's own limit); nothing when it holds one.
         */
        default void claimSlot(java.time.Duration wait, BooleanSupplier abandoned) throws LaunchFailure {
        }

        /**
         * Every process of the job now, when the pool knows them exactly (the job's leaf cgroup,
         * which its processes cannot leave); empty when it does not, and the process table must
         * be searched instead.
         */
        default java.util.Optional<java.util.List<Long>> processes() {
            return java.util.Optional.empty();
        }

        /** The pool's memory limit in bytes when the kernel killed the job for exceeding it; empty otherwise. */
        default OptionalLong memoryKill() {
            return OptionalLong.empty();
        }

        @Override
        void close();
    }
}
